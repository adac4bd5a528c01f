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
import java.util.ArrayList;
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

  /**
   * One line per fact: {@code current <id>}, {@code switched <id> <time>} newest first, {@code staged
   * <id>}, {@code bad <id> <mark>}. Release ids have no spaces, so the first two words split cleanly.
   */
  private static final String INSPECT =
      """
      set -eu
      cd "$ROOT" 2>/dev/null || { echo current; exit 0; }
      target=$(readlink current 2>/dev/null || true)
      printf 'current %s\\n' "${target##*/}"
      (tac releases.log 2>/dev/null || true) | awk 'NF >= 2 && !seen[$2]++ { print "switched " $2 " " $1 }'
      for dir in releases/*/; do
        [ -d "$dir" ] || continue
        id=${dir#releases/}; id=${id%/}
        printf 'staged %s\\n' "$id"
      done
      for mark in release-marks/*.bad; do
        [ -f "$mark" ] || continue
        id=${mark#release-marks/}; id=${id%.bad}
        printf 'bad %s %s\\n' "$id" "$(head -n 1 "$mark" | tr -d '\\r')"
      done
      """;

  /** Written once: a second mark of the same release keeps the first, which tells when it went bad. */
  private static final String MARK_BAD =
      """
      set -eu
      cd "$ROOT"
      mkdir -p release-marks
      if [ -f "release-marks/$RELEASE.bad" ]; then echo kept; exit 0; fi
      printf 'marked bad at %s by %s: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$OWNER" "$REASON" > "release-marks/.$RELEASE.bad.tmp"
      mv "release-marks/.$RELEASE.bad.tmp" "release-marks/$RELEASE.bad"
      echo marked
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

  /** What a rollback needs to choose a release: current, switch order, staged and bad ones. */
  HostReleaseState inspect() {
    CommandResult r = script(INSPECT, Map.of(), QUICK);
    expectSuccess("list the releases", r);
    String current = "";
    List<HostReleaseState.Switch> switched = new ArrayList<>();
    List<String> staged = new ArrayList<>();
    Map<String, String> bad = new LinkedHashMap<>();
    for (String line : r.stdout().strip().split("\n")) {
      String[] parts = line.strip().split(" ", 3);
      switch (parts[0]) {
        case "current" -> current = parts.length > 1 ? parts[1] : "";
        case "switched" -> switched.add(new HostReleaseState.Switch(parts[1], parts.length > 2 ? parts[2] : ""));
        case "staged" -> staged.add(parts[1]);
        case "bad" -> bad.put(parts[1], parts.length > 2 ? parts[2] : "marked bad");
        default -> throw new IllegalStateException(target.name() + ": unexpected line from the release listing: " + line);
      }
    }
    switched.removeIf(s -> !staged.contains(s.release()));
    return new HostReleaseState(current, switched, staged, bad);
  }

  /** The mark of a release on this host, or empty when it is not marked bad. */
  String badMark(String release) {
    return inspect().bad().getOrDefault(release, "");
  }

  /**
   * Marks a release bad on this host, once: a later mark of the same release keeps the first.
   *
   * @param by who marks it: the rollback's workflow id and run id
   */
  void markBad(String release, String by, String reason) {
    expectSuccess(
        "mark " + release + " bad",
        script(MARK_BAD, Map.of("RELEASE", ReleaseId.require(release), "OWNER", by, "REASON", reason.replace('\n', ' ')), QUICK));
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
