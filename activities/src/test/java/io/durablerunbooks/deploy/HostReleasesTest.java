package io.durablerunbooks.deploy;

import static io.durablerunbooks.activities.LocalStack.sshAccess;
import static io.durablerunbooks.activities.LocalStack.sshHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.ssh.SshConnections;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Release directories on a real sshd host of the local stack (web1); the deploy root is a temp dir. */
class HostReleasesTest {

  @TempDir Path root;
  @TempDir Path work;
  private final SshConnections ssh = new SshConnections(new SecretResolver(Map.of()));
  private HostReleases releases;

  @BeforeAll
  static void hostsUp() {
    LocalStack.requireUp();
    assertThat(Path.of(LocalStack.KNOWN_HOSTS)).as("the SSH hosts are not up: run scripts/stack.sh up").exists();
  }

  @BeforeEach
  void connect() {
    HostTarget target = new HostTarget(sshHost(1), sshAccess(), root.toString(), "http://127.0.0.1:18101", List.of());
    releases = new HostReleases(ssh.to(target.host(), target.access()), target);
  }

  @AfterEach
  void close() {
    ssh.close();
  }

  /** The files of a release: VERSION holding the version, and a static file. */
  private Path sources(String version) throws IOException {
    Path dir = Files.createDirectories(work.resolve("src-" + version));
    Files.writeString(dir.resolve("VERSION"), version + "\n");
    Files.createDirectories(dir.resolve("static"));
    Files.writeString(dir.resolve("static/app.css"), "body { color: black }\n");
    return dir;
  }

  private Path tarball(String version) throws Exception {
    Path tar = work.resolve(version + ".tar.gz");
    run(work, "tar", "-czf", tar.toString(), "-C", sources(version).toString(), ".");
    return tar;
  }

  private Artifact archive(String version) throws Exception {
    return new Artifact.WorkerFile(tarball(version).toString());
  }

  private static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
    return output.strip();
  }

  private List<String> releaseEntries() throws IOException {
    try (var names = Files.list(root.resolve("releases"))) {
      return names.map(p -> p.getFileName().toString()).toList();
    }
  }

  @Test
  void aStagedReleaseIsUnpackedOnceAndSwitchedToAtomically() throws Exception {
    assertThat(releases.inspect().current()).isEmpty();

    assertThat(releases.stage("v1", archive("v1"))).isTrue();
    assertThat(releases.stage("v1", archive("v1"))).as("a second stage leaves it").isFalse();
    releases.switchTo("v1");
    releases.switchTo("v1");

    assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("v1\n");
    assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/v1"));
    assertThat(releases.inspect().current()).isEqualTo("v1");
    try (var names = Files.list(root.resolve("releases"))) {
      assertThat(names.map(p -> p.getFileName().toString())).containsExactly("v1");
    }
  }

  @Test
  void switchingToAReleaseThatWasNeverStagedIsRefusedAndChangesNothing() throws Exception {
    releases.stage("v1", archive("v1"));
    releases.switchTo("v1");

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, () -> releases.switchTo("v9"));

    assertThat(failure.getType()).isEqualTo(HostReleases.RELEASE_MISSING);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(releases.inspect().current()).isEqualTo("v1");
  }

  @Test
  void theLockAdmitsOneDeployAndItsRetriesButNotASecond() {
    releases.lock("deploy/a run-1");
    releases.lock("deploy/a run-1");

    ApplicationFailure busy = catchThrowableOfType(ApplicationFailure.class, () -> releases.lock("deploy/b run-2"));
    assertThat(busy.getType()).isEqualTo(HostReleases.LOCKED);
    assertThat(busy.isNonRetryable()).isFalse();
    assertThat(busy.getOriginalMessage()).contains("deploy/a run-1", ".deploy-lock");

    releases.unlock("deploy/b run-2");
    assertThat(catchThrowableOfType(ApplicationFailure.class, () -> releases.lock("deploy/b run-2")))
        .as("only the holder can unlock").isNotNull();
    releases.unlock("deploy/a run-1");
    releases.lock("deploy/b run-2");
  }

  @Test
  void aHookRunsInTheReleaseWithTheDeployFactsAndItsOutputKept() throws Exception {
    releases.stage("v2", archive("v2"));

    var result = releases.hook("cat VERSION; echo \"$RELEASE_ID $DEPLOY_ROOT $SHARED_DIR\"; echo warn >&2; exit 4", "v2", Duration.ofMinutes(1));

    assertThat(result.exitStatus()).isEqualTo(4);
    assertThat(result.stdout()).isEqualTo("v2\nv2 " + root + " " + root + "/shared\n");
    assertThat(result.stderr()).isEqualTo("warn\n");
  }

  @Test
  void pruningKeepsTheNewestSwitchedReleasesAndTheCurrentOne() throws Exception {
    for (String v : new String[] {"v1", "v2", "v3", "v4"}) {
      releases.stage(v, archive(v));
      releases.switchTo(v);
    }
    releases.switchTo("v1");

    assertThat(releases.prune(2)).containsExactlyInAnyOrder("v2", "v3");

    try (var names = Files.list(root.resolve("releases"))) {
      assertThat(names.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("v1", "v4");
    }
    assertThat(releases.inspect().current()).isEqualTo("v1");
  }

  @Test
  void inspectionListsTheReleasesNewestSwitchFirstAndTheBadMarksKeepTheirFirstReason() throws Exception {
    assertThat(releases.inspect()).as("a host never deployed to").isEqualTo(new HostReleaseState("", List.of(), List.of(), Map.of()));
    for (String v : new String[] {"v1", "v2", "v3"}) {
      releases.stage(v, archive(v));
      releases.switchTo(v);
    }
    releases.switchTo("v1");
    releases.stage("v4", archive("v4"));

    releases.markBad("v3", "rollback/shop run 7", "checkout returns 500; it's \"bad\" $(touch /tmp/pwned)");
    releases.markBad("v3", "rollback/shop run 8", "a second reason");

    HostReleaseState state = releases.inspect();
    assertThat(state.current()).isEqualTo("v1");
    assertThat(state.switched()).extracting(HostReleaseState.Switch::release).containsExactly("v1", "v3", "v2");
    assertThat(state.switched()).allSatisfy(s -> assertThat(s.at()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
    assertThat(state.currentSince()).isEqualTo(state.switched().get(0).at());
    assertThat(state.staged()).containsExactlyInAnyOrder("v1", "v2", "v3", "v4");
    assertThat(state.bad()).containsOnlyKeys("v3");
    assertThat(state.bad().get("v3")).startsWith("marked bad at ")
        .endsWith("by rollback/shop run 7: checkout returns 500; it's \"bad\" $(touch /tmp/pwned)");
    assertThat(Path.of("/tmp/pwned")).doesNotExist();
  }

  /** Serves the bytes of one file at /shop.tar.gz from 127.0.0.1, counting the requests. */
  private static final class ArchiveServer implements AutoCloseable {

    final AtomicInteger requests = new AtomicInteger();
    private final HttpServer server;

    ArchiveServer(byte[] archive) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        requests.incrementAndGet();
        boolean found = exchange.getRequestURI().getPath().equals("/shop.tar.gz");
        exchange.sendResponseHeaders(found ? 200 : 404, found ? archive.length : -1);
        if (found) {
          exchange.getResponseBody().write(archive);
        }
        exchange.close();
      });
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void aDownloadWhoseDigestMatchesIsUnpackedOnce() throws Exception {
    byte[] tar = Files.readAllBytes(tarball("v3"));
    try (ArchiveServer server = new ArchiveServer(tar)) {
      Artifact download = new Artifact.Download(server.url("/shop.tar.gz"), sha256(tar));

      assertThat(releases.stage("v3", download)).isTrue();
      assertThat(releases.stage("v3", download)).as("a second stage leaves it").isFalse();

      assertThat(server.requests).as("the release already there is not downloaded again").hasValue(1);
    }
    assertThat(Files.readString(root.resolve("releases/v3/VERSION"))).isEqualTo("v3\n");
    assertThat(Files.readString(root.resolve("releases/v3/static/app.css"))).isEqualTo("body { color: black }\n");
    assertThat(releaseEntries()).as("no download or partial left beside it").containsExactly("v3");
  }

  @Test
  void aDownloadWhoseDigestDiffersFailsNamingBothAndLeavesNothing() throws Exception {
    byte[] tar = Files.readAllBytes(tarball("v3"));
    String expected = sha256("something else".getBytes(StandardCharsets.UTF_8));
    try (ArchiveServer server = new ArchiveServer(tar)) {
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class, () -> releases.stage("v3", new Artifact.Download(server.url("/shop.tar.gz"), expected)));

      assertThat(failure.getType()).isEqualTo(FailureTypes.CHECKSUM_MISMATCH);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage())
          .contains("web1", server.url("/shop.tar.gz"), "has sha256 " + sha256(tar), "artifact.sha256 expects " + expected);
    }
    assertThat(root.resolve("releases/v3")).doesNotExist();
    assertThat(releaseEntries()).as("the downloaded file is deleted").isEmpty();
  }

  @Test
  void aDownloadThatFailsIsRetryableAndLeavesNothing() throws Exception {
    try (ArchiveServer server = new ArchiveServer(new byte[0])) {
      String url = server.url("/gone.tar.gz");
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class, () -> releases.stage("v3", new Artifact.Download(url, sha256(new byte[0]))));

      assertThat(failure.getType()).isEqualTo(HostReleases.FETCH_FAILED);
      assertThat(failure.isNonRetryable()).isFalse();
      assertThat(failure.getOriginalMessage()).contains("could not download " + url, "404");
    }
    assertThat(releaseEntries()).isEmpty();
  }

  /** A repository with tag v3 (annotated), a branch hotfix one commit past it, and main moved on too. */
  private Path repository() throws Exception {
    Path repo = sources("v3");
    String[] git = {"git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
        "-c", "tag.gpgsign=false"};
    run(repo, "git", "init", "--quiet");
    run(repo, concat(git, "add", "."));
    run(repo, concat(git, "commit", "--quiet", "-m", "v3"));
    run(repo, concat(git, "tag", "-a", "v3", "-m", "release v3"));
    run(repo, concat(git, "checkout", "--quiet", "-b", "hotfix"));
    Files.writeString(repo.resolve("VERSION"), "v3-hotfix\n");
    run(repo, concat(git, "commit", "--quiet", "-am", "hotfix"));
    run(repo, concat(git, "checkout", "--quiet", "-"));
    Files.writeString(repo.resolve("VERSION"), "next\n");
    run(repo, concat(git, "commit", "--quiet", "-am", "next"));
    return repo;
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  @Test
  void aCheckoutOfATagHoldsItsFilesAndItsCommitButNoRepository() throws Exception {
    Path repo = repository();
    String commit = run(repo, "git", "rev-parse", "v3^{commit}");

    assertThat(releases.stage("v3", new Artifact.GitRef(repo.toString(), "v3"))).isTrue();
    assertThat(releases.stage("v3", new Artifact.GitRef(repo.toString(), "v3"))).as("a second stage leaves it").isFalse();

    assertThat(Files.readString(root.resolve("releases/v3/VERSION"))).isEqualTo("v3\n");
    assertThat(root.resolve("releases/v3/static/app.css")).exists();
    assertThat(Files.readString(root.resolve("releases/v3/REVISION"))).isEqualTo(commit + "\n");
    assertThat(root.resolve("releases/v3/.git")).doesNotExist();
    assertThat(releaseEntries()).containsExactly("v3");
  }

  @Test
  void aCheckoutTakesBranchesAndCommitsFromAFileUrlToo() throws Exception {
    Path repo = repository();
    String hotfix = run(repo, "git", "rev-parse", "hotfix");

    releases.stage("branch", new Artifact.GitRef("file://" + repo, "hotfix"));
    releases.stage("commit", new Artifact.GitRef("file://" + repo, hotfix));

    assertThat(Files.readString(root.resolve("releases/branch/VERSION"))).isEqualTo("v3-hotfix\n");
    assertThat(Files.readString(root.resolve("releases/branch/REVISION"))).isEqualTo(hotfix + "\n");
    assertThat(Files.readString(root.resolve("releases/commit/REVISION"))).isEqualTo(hotfix + "\n");
  }

  @Test
  void aRefTheRepositoryLacksFailsNamingItAndLeavesNothing() throws Exception {
    Path repo = repository();

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> releases.stage("v9", new Artifact.GitRef(repo.toString(), "v9")));

    assertThat(failure.getType()).isEqualTo(HostReleases.REF_MISSING);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("web1: v9 is no tag, branch or commit of " + repo);
    assertThat(releaseEntries()).as("neither the release nor its partial clone").isEmpty();
  }
}
