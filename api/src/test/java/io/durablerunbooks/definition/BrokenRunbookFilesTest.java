package io.durablerunbooks.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each file under src/test/resources/broken-runbooks says in its first comments what must be
 * reported about it ({@code # expect: <path> | <phrase>}) and, when it holds a literal secret,
 * what must never appear in the message ({@code # secret: <value>}).
 */
class BrokenRunbookFilesTest {

  private static final String EXPECT = "# expect: ";
  private static final String SECRET = "# secret: ";

  static Stream<Path> brokenFiles() throws IOException, URISyntaxException {
    Path dir =
        Path.of(Objects.requireNonNull(BrokenRunbookFilesTest.class.getResource("/broken-runbooks")).toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenFiles")
  void aBrokenFileIsRefusedWithTheErrorItDeclares(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String expect = header(lines, EXPECT);
    assertThat(expect).as("%s declares its expected error", file.getFileName()).isNotNull();
    String path = expect.substring(0, expect.indexOf('|')).strip();
    String phrase = expect.substring(expect.indexOf('|') + 1).strip();

    InvalidRunbookException e =
        catchThrowableOfType(InvalidRunbookException.class, () -> RunbookFiles.load(file, Map.of()));

    assertThat(e).as("%s is refused", file.getFileName()).isNotNull();
    assertThat(e.getMessage()).startsWith(file + ":\n  ");
    assertThat(e.errors())
        .anySatisfy(
            error -> {
              assertThat(error.path()).isEqualTo(path);
              assertThat(error.message()).contains(phrase);
            });
    String secret = header(lines, SECRET);
    if (secret != null) {
      assertThat(String.join("\n", lines)).contains(secret);
      assertThat(e.getMessage()).doesNotContain(secret);
    }
  }

  private static String header(List<String> lines, String prefix) {
    return lines.stream()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .findFirst()
        .orElse(null);
  }
}
