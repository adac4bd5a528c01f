package io.durablerunbooks.deploy;

import io.durablerunbooks.ssh.CommandResult;
import io.durablerunbooks.ssh.RemoteCommand;
import io.durablerunbooks.ssh.SshSession;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The release directories of one host, changed only by short shell scripts of our own whose
 * inputs arrive as environment variables. Each operation can run twice with the same effect as
 * once, since a retried step repeats it.
 */
final class HostReleases {

  static final String LOCKED = "DeployLocked";
  static final String RELEASE_MISSING = "ReleaseMissing";
  static final String REMOTE_SCRIPT_FAILED = "RemoteScriptFailed";

  private static final Duration QUICK = Duration.ofMinutes(2);
  /** Exit status of the lock script when another deploy holds the lock. */
  private static final int BUSY = 75;

  private static final String LOCK =
      """
      set -eu
      mkdir -p "$ROOT/releases" "$ROOT/shared"
      lock="$ROOT/.deploy-lock"
      if mkdir "$lock" 2>/dev/null; then
        printf '%s\\n' "$OWNER" > "$lock/owner.tmp" && mv "$lock/owner.tmp" "$lock/owner"
        echo acquired; exit 0
      fi
      holder=$(cat "$lock/owner" 2>/dev/null || echo "a deploy that is still writing its name")
      if [ "$holder" = "$OWNER" ]; then echo held; exit 0; fi
      printf '%s\\n' "$holder"; exit 75
      """;

  private static final String UNLOCK =
      """
      set -eu
      lock="$ROOT/.deploy-lock"
      if [ "$(cat "$lock/owner" 2>/dev/null || true)" = "$OWNER" ]; then rm -rf "$lock"; fi
      """;

  private static final String CURRENT =
      """
      set -eu
      target=$(readlink "$ROOT/current" 2>/dev/null || true)
      printf '%s\\n' "${target##*/}"
      """;

  private static final String UNPACK =
      """
      set -eu
      cd "$ROOT/releases"
      if [ -d "$RELEASE" ]; then rm -f ".incoming-$RELEASE.tar.gz"; echo present; exit 0; fi
      rm -rf ".partial-$RELEASE"
      mkdir ".partial-$RELEASE"
      tar -xzf ".incoming-$RELEASE.tar.gz" -C ".partial-$RELEASE"
      rm -f ".incoming-$RELEASE.tar.gz"
      mv -T ".partial-$RELEASE" "$RELEASE"
      echo staged
      """;

  private static final String IS_STAGED =
      """
      set -eu
      mkdir -p "$ROOT/releases" "$ROOT/shared"
      if [ -d "$ROOT/releases/$RELEASE" ]; then echo present; else echo absent; fi
      """;

  /** A new link under a temporary name renamed over {@code current}: rename is atomic. */
  private static final String SWITCH =
      """
      set -eu
      cd "$ROOT"
      if [ ! -d "releases/$RELEASE" ]; then echo "releases/$RELEASE does not exist" >&2; exit 3; fi
      ln -sfn "releases/$RELEASE" ".current-$RELEASE"
      mv -T ".current-$RELEASE" current
      printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$RELEASE" >> releases.log
      """;

  /** Keeps the newest releases by switch order, and always the current one. */
  private static final String PRUNE =
      """
      set -eu
      cd "$ROOT"
      current=$(readlink current 2>/dev/null || true); current=${current##*/}
      keep=$( (tac releases.log 2>/dev/null || true) | awk '{print $2}' | awk '!seen[$0]++' | head -n "$KEEP")
      for dir in releases/*/; do
        [ -d "$dir" ] || continue
        id=${dir#releases/}; id=${id%/}
        [ "$id" = "$current" ] && continue
        printf '%s\\n' "$keep" | grep -qxF -- "$id" && continue
        rm -rf -- "releases/$id"
        printf '%s\\n' "$id"
      done
      """;

  private final SshSession ssh;
  private final HostTarget target;

  HostReleases(SshSession ssh, HostTarget target) {
    this.ssh = ssh;
    this.target = target;
  }

  /**
   * Takes the host's deploy lock for {@code owner}, or confirms it already holds it.
   *
   * @throws ApplicationFailure {@code DeployLocked}, retryable, naming the holder
   */
  void lock(String owner) {
    CommandResult r = script(LOCK, Map.of("OWNER", owner), QUICK);
    if (r.exitStatus() == BUSY) {
      throw ApplicationFailure.newFailure(
          target.name() + " is locked by another deploy (" + r.stdout().strip() + "); waiting for it to finish. If that"
              + " deploy is gone, remove " + target.root() + "/.deploy-lock on the host",
          LOCKED);
    }
    expectSuccess("lock", r);
  }

  void unlock(String owner) {
    expectSuccess("unlock", script(UNLOCK, Map.of("OWNER", owner), QUICK));
  }

  /** The release {@code current} points to, or empty before the first deploy. */
  String current() {
    CommandResult r = script(CURRENT, Map.of(), QUICK);
    expectSuccess("read current", r);
    return r.stdout().strip();
  }

  /**
   * Puts a release archive (a .tar.gz of the release directory, made on the worker) into
   * {@code releases/<id>}; an existing release directory is left as it is.
   *
   * @return true if unpacked now, false if the release was there already
   */
  boolean stage(String release, Path archive) {
    Map<String, String> env = Map.of("RELEASE", ReleaseId.require(release));
    CommandResult present = script(IS_STAGED, env, QUICK);
    expectSuccess("look for the release", present);
    if (present.stdout().strip().equals("present")) {
      return false;
    }
    try (InputStream in = Files.newInputStream(archive)) {
      ssh.upload(in, target.root() + "/releases/.incoming-" + release + ".tar.gz", 0600);
    } catch (IOException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "artifact: cannot read " + archive + " on the worker (" + e.getMessage() + ")", "InvalidInput");
    }
    CommandResult unpacked = script(UNPACK, env, Duration.ofMinutes(10));
    expectSuccess("unpack the release", unpacked);
    return unpacked.stdout().strip().equals("staged");
  }

  /** Runs an operator's hook in the release directory with the deploy's facts in its environment. */
  CommandResult hook(String script, String release, Duration timeout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RELEASE_ID", release);
    env.put("RELEASE_DIR", target.root() + "/releases/" + release);
    env.put("DEPLOY_ROOT", target.root());
    env.put("SHARED_DIR", target.root() + "/shared");
    return ssh.run(RemoteCommand.script(script, env, target.root() + "/releases/" + release), timeout);
  }

  /**
   * Points {@code current} at the release in one rename.
   *
   * @throws ApplicationFailure {@code ReleaseMissing}, non-retryable, if it was never staged
   */
  void switchTo(String release) {
    CommandResult r = script(SWITCH, Map.of("RELEASE", ReleaseId.require(release)), QUICK);
    if (r.exitStatus() == 3) {
      throw ApplicationFailure.newNonRetryableFailure(
          target.name() + ": " + r.stderr().strip() + " under " + target.root() + "; it must be staged first", RELEASE_MISSING);
    }
    expectSuccess("switch current", r);
  }

  /** Deletes all but the {@code keep} most recently switched-to releases and the current one. */
  List<String> prune(int keep) {
    CommandResult r = script(PRUNE, Map.of("KEEP", Integer.toString(keep)), QUICK);
    expectSuccess("prune old releases", r);
    return Arrays.stream(r.stdout().split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private CommandResult script(String text, Map<String, String> values, Duration timeout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ROOT", target.root());
    env.putAll(values);
    return ssh.run(RemoteCommand.script(text, env, ""), timeout);
  }

  private void expectSuccess(String what, CommandResult r) {
    if (!r.succeeded()) {
      throw ApplicationFailure.newFailure(
          target.name() + ": could not " + what + " under " + target.root() + " (exit " + r.exitStatus() + "): "
              + (r.stderr().isBlank() ? r.stdout().strip() : r.stderr().strip()),
          REMOTE_SCRIPT_FAILED);
    }
  }
}
