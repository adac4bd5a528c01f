package io.durablerunbooks.ssh;

import static io.durablerunbooks.activities.LocalStack.KNOWN_HOSTS;
import static io.durablerunbooks.activities.LocalStack.sshAccess;
import static io.durablerunbooks.activities.LocalStack.sshHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH layer against the real sshd hosts of the local stack (web1..web4 on 127.0.0.1). */
class SshConnectionsTest {

  private static final Duration MINUTE = Duration.ofMinutes(1);

  @TempDir Path dir;
  private final SshConnections ssh = new SshConnections(new SecretResolver(Map.of()));

  @BeforeAll
  static void hostsUp() {
    LocalStack.requireUp();
    assertThat(Path.of(KNOWN_HOSTS)).as("the SSH hosts are not up: run scripts/stack.sh up").exists();
  }

  @AfterEach
  void closeConnections() {
    ssh.close();
  }

  private CommandResult run(RemoteCommand command) {
    return ssh.to(sshHost(1), sshAccess()).run(command, MINUTE);
  }

  @Test
  void runsACommandKeepingItsOutputAndExitStatus() {
    CommandResult result = run(RemoteCommand.of("sh", "-c", "echo out; echo err >&2; exit 3"));

    assertThat(result.exitStatus()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
    assertThat(result.truncated()).isFalse();
    assertThat(result.host()).isEqualTo("web1");
  }

  @Test
  void argumentsReachTheHostAsLiteralStrings() {
    Path canary = dir.resolve("canary");
    String hostile = "x'; touch " + canary + "; echo \"$(touch " + canary + ")\" `touch " + canary + "` * \\ \n;rm -rf ~";

    CommandResult result = run(RemoteCommand.of("printf", "%s", hostile));

    assertThat(result.stdout()).isEqualTo(hostile);
    assertThat(canary).doesNotExist();
  }

  @Test
  void aHookSeesItsValuesAsEnvironmentVariables() {
    Path canary = dir.resolve("canary");
    CommandResult result =
        run(RemoteCommand.script("printf '%s|%s' \"$RELEASE\" \"$PWD\"", Map.of("RELEASE", "v2; touch " + canary), dir.toString()));

    assertThat(result.stdout()).isEqualTo("v2; touch " + canary + "|" + dir);
    assertThat(canary).doesNotExist();
  }

  @Test
  void commandsToOneHostShareOneConnection() {
    SshSession first = ssh.to(sshHost(1), sshAccess());
    String clientA = first.run(RemoteCommand.of("sh", "-c", "echo $SSH_CLIENT"), MINUTE).stdout();
    SshSession second = ssh.to(sshHost(1), sshAccess());
    String clientB = second.run(RemoteCommand.of("sh", "-c", "echo $SSH_CLIENT"), MINUTE).stdout();

    assertThat(second).isSameAs(first);
    assertThat(clientB).as("same client port, so the same TCP connection").isEqualTo(clientA).isNotBlank();
    assertThat(ssh.to(sshHost(2), sshAccess())).isNotSameAs(first);
  }

  @Test
  void longOutputKeepsItsEnd() {
    CommandResult result = run(RemoteCommand.of("seq", "1", "100000"));

    assertThat(result.truncated()).isTrue();
    assertThat(result.stdout()).hasSizeLessThanOrEqualTo(SshSession.OUTPUT_KEPT).endsWith("99999\n100000\n");
  }

  @Test
  void aCommandPastItsTimeoutIsKilledAndReportedAsRetryable() throws Exception {
    String marker = "31." + ThreadLocalRandom.current().nextInt(1000, 9999);
    SshSession session = ssh.to(sshHost(1), sshAccess());

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> session.run(RemoteCommand.of("sleep", marker), Duration.ofSeconds(1)));

    assertThat(failure.getType()).isEqualTo(SshFailures.COMMAND_TIMED_OUT);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).contains("web1", "sleep " + marker, "killed");
    assertThat(session.run(RemoteCommand.of("true"), MINUTE).exitStatus()).as("the connection still works").isZero();
    assertThat(stillRunning("sleep " + marker)).as("the remote command was killed").isFalse();
  }

  @Test
  void anUnknownHostKeyIsRefusedWithTheFingerprintAndNothingRuns() throws Exception {
    Path knownHosts = dir.resolve("known_hosts");
    Files.write(knownHosts, linesNotFor(sshHost(1)));

    ApplicationFailure failure = connectWith(new SshAccess(LocalStack.SSH_KEY, "", knownHosts.toString()));

    assertThat(failure.getType()).isEqualTo(SshFailures.HOST_KEY_UNKNOWN);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("web1", knownHosts.toString(), "SHA256:", "ssh-keyscan -p 12201");
  }

  @Test
  void aChangedHostKeyIsRefused() throws Exception {
    String web2Key = keyLineOf(sshHost(2)).substring(keyLineOf(sshHost(2)).indexOf(' '));
    Path knownHosts = dir.resolve("known_hosts");
    Files.writeString(knownHosts, sshHost(1).knownHostsName() + web2Key + "\n");

    ApplicationFailure failure = connectWith(new SshAccess(LocalStack.SSH_KEY, "", knownHosts.toString()));

    assertThat(failure.getType()).isEqualTo(SshFailures.HOST_KEY_CHANGED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("impersonating", "[127.0.0.1]:12201");
  }

  @Test
  void aMissingKnownHostsFileIsBadInput() {
    ApplicationFailure failure = connectWith(new SshAccess(LocalStack.SSH_KEY, "", dir.resolve("nope").toString()));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.getOriginalMessage()).startsWith("ssh.knownHosts: ").contains("nope");
  }

  @Test
  void aKeyTheHostDoesNotAuthorizeIsRefused() throws Exception {
    Path key = dir.resolve("stranger");
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).start();
    assertThat(keygen.waitFor()).isZero();

    ApplicationFailure failure = connectWith(new SshAccess(SecretRef.of("${file:" + key + "}"), "", KNOWN_HOSTS));

    assertThat(failure.getType()).isEqualTo(SshFailures.AUTHENTICATION_FAILED);
    assertThat(failure.isNonRetryable()).isTrue();
  }

  @Test
  void aKeyWithAPassphraseNeedsTheRightOne() throws Exception {
    SshAccess right = new SshAccess(LocalStack.SSH_KEY_WITH_PASSPHRASE, LocalStack.SSH_PASSPHRASE, KNOWN_HOSTS);
    assertThat(ssh.to(sshHost(3), right).run(RemoteCommand.of("true"), MINUTE).exitStatus()).isZero();

    Path wrongPassphrase = dir.resolve("wrong");
    Files.writeString(wrongPassphrase, "not-the-passphrase");
    ApplicationFailure failure =
        connectWith(new SshAccess(LocalStack.SSH_KEY_WITH_PASSPHRASE, "${file:" + wrongPassphrase + "}", KNOWN_HOSTS));

    assertThat(failure.getType()).as(failure.getOriginalMessage()).isEqualTo(SshFailures.INVALID_KEY);
    assertThat(failure.getOriginalMessage()).startsWith("ssh.privateKey: ").doesNotContain("not-the-passphrase");
  }

  @Test
  void anUnreachableHostIsRetryable() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> ssh.to(new SshHost("ghost", "127.0.0.1", 12299, "nobody"), sshAccess()));

    assertThat(failure.getType()).isEqualTo(SshFailures.UNREACHABLE);
    assertThat(failure.isNonRetryable()).isFalse();
  }

  @Test
  void anUploadAppearsWholeUnderItsNameWithItsMode() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    ThreadLocalRandom.current().nextBytes(content);
    Path target = dir.resolve("release.tar");

    ssh.to(sshHost(1), sshAccess()).upload(new ByteArrayInputStream(content), target.toString(), 0640);

    assertThat(Files.readAllBytes(target)).isEqualTo(content);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("release.tar");
    }
  }

  private ApplicationFailure connectWith(SshAccess access) {
    return catchThrowableOfType(ApplicationFailure.class, () -> ssh.to(sshHost(1), access));
  }

  private static List<String> linesNotFor(SshHost host) throws Exception {
    return Files.readAllLines(Path.of(KNOWN_HOSTS)).stream().filter(l -> !l.startsWith(host.knownHostsName() + " ")).toList();
  }

  private static String keyLineOf(SshHost host) throws Exception {
    return Files.readAllLines(Path.of(KNOWN_HOSTS)).stream()
        .filter(l -> l.startsWith(host.knownHostsName() + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError(host.knownHostsName() + " is not in " + KNOWN_HOSTS));
  }

  private static boolean stillRunning(String commandLine) throws Exception {
    for (int i = 0; i < 50; i++) {
      Process pgrep = new ProcessBuilder("pgrep", "-f", "^" + commandLine + "$").start();
      if (pgrep.waitFor() != 0) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }
}
