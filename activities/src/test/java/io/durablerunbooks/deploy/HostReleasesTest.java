package io.durablerunbooks.deploy;

import static io.durablerunbooks.activities.LocalStack.sshAccess;
import static io.durablerunbooks.activities.LocalStack.sshHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.ssh.SshConnections;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    HostTarget target = new HostTarget(sshHost(1), sshAccess(), root.toString(), "http://127.0.0.1:18101");
    releases = new HostReleases(ssh.to(target.host(), target.access()), target);
  }

  @AfterEach
  void close() {
    ssh.close();
  }

  private Path archive(String version) throws Exception {
    Path dir = Files.createDirectories(work.resolve("src-" + version));
    Files.writeString(dir.resolve("VERSION"), version + "\n");
    Files.createDirectories(dir.resolve("static"));
    Files.writeString(dir.resolve("static/app.css"), "body { color: black }\n");
    Path tar = work.resolve(version + ".tar.gz");
    Process p = new ProcessBuilder("tar", "-czf", tar.toString(), "-C", dir.toString(), ".").start();
    assertThat(p.waitFor()).isZero();
    return tar;
  }

  @Test
  void aStagedReleaseIsUnpackedOnceAndSwitchedToAtomically() throws Exception {
    assertThat(releases.current()).isEmpty();

    assertThat(releases.stage("v1", archive("v1"))).isTrue();
    assertThat(releases.stage("v1", archive("v1"))).as("a second stage leaves it").isFalse();
    releases.switchTo("v1");
    releases.switchTo("v1");

    assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("v1\n");
    assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/v1"));
    assertThat(releases.current()).isEqualTo("v1");
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
    assertThat(releases.current()).isEqualTo("v1");
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
    assertThat(releases.current()).isEqualTo("v1");
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
    assertThat(releases.badMark("v3")).isEqualTo(state.bad().get("v3"));
    assertThat(releases.badMark("v2")).isEmpty();
    assertThat(Path.of("/tmp/pwned")).doesNotExist();
  }
}
