package io.durablerunbooks.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The SSH connections of one step: opened on first use, reused for every later command to the
 * same host, closed together when the step ends. Key authentication only, and every host key is
 * checked against the runbook's known_hosts file; there is no setting that skips the check.
 */
public final class SshConnections implements AutoCloseable {

  private static final Duration CONNECT = Duration.ofSeconds(15);
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);
  /** What known_hosts key types map to, in the order a server is asked to prove them. */
  private static final Map<String, List<String>> HOST_KEY_ALGORITHMS =
      Map.of(
          "ssh-ed25519", List.of("ssh-ed25519"),
          "ssh-ed448", List.of("ssh-ed448"),
          "ecdsa-sha2-nistp256", List.of("ecdsa-sha2-nistp256"),
          "ecdsa-sha2-nistp384", List.of("ecdsa-sha2-nistp384"),
          "ecdsa-sha2-nistp521", List.of("ecdsa-sha2-nistp521"),
          "ssh-rsa", List.of("rsa-sha2-512", "rsa-sha2-256"));

  private final SecretResolver secrets;
  private final Map<SshHost, SshSession> open = new LinkedHashMap<>();

  public SshConnections(SecretResolver secrets) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  /**
   * The logged-in session to a host, opened now or reused.
   *
   * @throws ApplicationFailure non-retryable for an unknown or changed host key, a refused or
   *     unreadable key, a missing known_hosts file or secret; retryable for an unreachable host
   */
  public synchronized SshSession to(SshHost host, SshAccess access) {
    SshSession session = open.get(host);
    if (session != null && session.isOpen()) {
      return session;
    }
    session = connect(host, access);
    open.put(host, session);
    return session;
  }

  @Override
  public synchronized void close() {
    open.values().forEach(SshSession::close);
    open.clear();
  }

  private SshSession connect(SshHost host, SshAccess access) {
    JSch jsch = new JSch();
    Path knownHosts = Path.of(access.knownHosts());
    if (!Files.isReadable(knownHosts)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "ssh.knownHosts: " + knownHosts + " does not exist or is not readable by the worker; host keys are always"
              + " checked, so give a known_hosts file that lists every host of the inventory",
          FailureTypes.INVALID_INPUT);
    }
    byte[] key = withFinalNewline(secrets.resolve(access.privateKey(), "ssh.privateKey"));
    byte[] passphrase =
        access.hasPassphrase()
            ? secrets.resolve(SecretRef.of(access.passphrase()), "ssh.passphrase").getBytes(StandardCharsets.UTF_8)
            : null;
    try {
      jsch.setKnownHosts(knownHosts.toString());
      // Decrypted here, so a wrong passphrase is told apart from a host refusing the key.
      KeyPair pair = KeyPair.load(jsch, key, null);
      if (pair.isEncrypted() && (passphrase == null || !pair.decrypt(passphrase))) {
        throw ApplicationFailure.newNonRetryableFailure(
            "ssh.privateKey: " + access.privateKey() + " is encrypted and "
                + (passphrase == null ? "ssh.passphrase is not set; give its passphrase as a secret reference"
                    : "ssh.passphrase (" + access.passphrase() + ") does not decrypt it; give the right one"),
            SshFailures.INVALID_KEY);
      }
      pair.dispose();
      jsch.addIdentity(host.name(), key, null, passphrase);
    } catch (JSchException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "ssh.privateKey: " + access.privateKey() + " is not a private key the worker can use ("
              + SshFailures.describe(e) + "); give an OpenSSH or PEM private key",
          SshFailures.INVALID_KEY);
    } finally {
      Arrays.fill(key, (byte) 0);
      if (passphrase != null) {
        Arrays.fill(passphrase, (byte) 0);
      }
    }
    Session session = null;
    try {
      session = jsch.getSession(host.user(), host.address(), host.port());
      session.setConfig("StrictHostKeyChecking", "yes");
      session.setConfig("PreferredAuthentications", "publickey");
      String algorithms = hostKeyAlgorithms(jsch, host, session.getConfig("server_host_key"));
      session.setConfig("server_host_key", algorithms);
      session.setServerAliveInterval((int) KEEPALIVE.toMillis());
      session.setServerAliveCountMax(4);
      session.connect((int) CONNECT.toMillis());
      return new SshSession(host, session);
    } catch (JSchException e) {
      String presented = "";
      if (session != null) {
        HostKey shown = session.getHostKey();
        presented = shown == null ? "" : shown.getType() + " " + shown.getFingerPrint(jsch);
        session.disconnect();
      }
      throw SshFailures.connecting(host, knownHosts.toString(), presented, e);
    }
  }

  /**
   * The server is asked first for a key of a type known_hosts holds for it, as OpenSSH does;
   * otherwise a server with several host keys may prove one that known_hosts does not list.
   */
  private static String hostKeyAlgorithms(JSch jsch, SshHost host, String defaults) {
    Set<String> ordered = new LinkedHashSet<>();
    HostKey[] known = jsch.getHostKeyRepository().getHostKey(host.knownHostsName(), null);
    if (known != null) {
      for (HostKey k : known) {
        ordered.addAll(HOST_KEY_ALGORITHMS.getOrDefault(k.getType(), List.of(k.getType())));
      }
    }
    ordered.addAll(List.of(defaults.split(",")));
    return String.join(",", ordered);
  }

  /** A key file ends with a newline, which the secret resolver strips and some parsers need. */
  private static byte[] withFinalNewline(String key) {
    return (key.endsWith("\n") ? key : key + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
