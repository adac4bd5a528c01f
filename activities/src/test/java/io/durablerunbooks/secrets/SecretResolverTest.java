package io.durablerunbooks.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {

  @TempDir Path dir;

  private final SecretResolver resolver =
      new SecretResolver(Map.of("PGPASS", "s3cr3t-value", "EMPTY", "", "PATH", "/opt/bin"));

  @Test
  void resolvesEnvironmentVariables() {
    assertThat(resolver.resolve(SecretRef.of("${env:PGPASS}"), "database.password")).isEqualTo("s3cr3t-value");
  }

  @Test
  void resolvesFilesWithoutTheirTrailingNewline() throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "from-file \r\n");

    assertThat(resolver.resolve(SecretRef.of("${file:" + file + "}"), "database.password")).isEqualTo("from-file ");
  }

  @Test
  void aMissingVariableNamesFieldReferenceAndFix() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> resolver.resolve(SecretRef.of("${env:NOPE}"), "storage.secretAccessKey"));

    assertThat(failure.getType()).isEqualTo(FailureTypes.SECRET_NOT_FOUND);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "storage.secretAccessKey: secret ${env:NOPE} is not set in the worker's environment; set NOPE for the"
                + " worker process and restart it");
  }

  @Test
  void anEmptyVariableOrFileIsMissing() throws Exception {
    Path file = Files.writeString(dir.resolve("empty"), "\n");

    ApplicationFailure env =
        catchThrowableOfType(ApplicationFailure.class, () -> resolver.resolve(SecretRef.of("${env:EMPTY}"), "f"));
    ApplicationFailure empty =
        catchThrowableOfType(
            ApplicationFailure.class, () -> resolver.resolve(SecretRef.of("${file:" + file + "}"), "f"));

    assertThat(env.getOriginalMessage()).contains("is empty");
    assertThat(empty.getOriginalMessage()).contains("points to an empty file");
  }

  @Test
  void anUnreadableFileNamesThePathButNeverAValue() {
    Path missing = dir.resolve("missing");

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> resolver.resolve(SecretRef.of("${file:" + missing + "}"), "database.password"));

    assertThat(failure.getType()).isEqualTo(FailureTypes.SECRET_NOT_FOUND);
    assertThat(failure.getOriginalMessage())
        .startsWith("database.password: secret ${file:" + missing + "} cannot be read on the worker")
        .contains("create " + missing);
  }

  @Test
  void expandResolvesReferencesAndKeepsLiterals() {
    assertThat(resolver.expand("${env:PGPASS}", "notify.webhook")).isEqualTo("s3cr3t-value");
    assertThat(resolver.expand("https://hooks.example.org/x", "notify.webhook"))
        .isEqualTo("https://hooks.example.org/x");
  }

  @Test
  void plainVariablesFallBackWhenUnsetOrEmpty() {
    assertThat(resolver.variable("PATH", "/usr/bin")).isEqualTo("/opt/bin");
    assertThat(resolver.variable("EMPTY", "/usr/bin")).isEqualTo("/usr/bin");
    assertThat(resolver.variable("UNSET", "/usr/bin")).isEqualTo("/usr/bin");
  }
}
