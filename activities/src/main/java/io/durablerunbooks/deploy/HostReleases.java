package io.durablerunbooks.deploy;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.ssh.CommandResult;
import io.durablerunbooks.ssh.RemoteCommand;
import io.durablerunbooks.ssh.SshFailures;
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
  /** Retryable: the host could not download the archive or clone the repository. */
  static final String FETCH_FAILED = "ArtifactFetchFailed";
  static final String REF_MISSING = "GitRefMissing";

  private static final Duration QUICK = Duration.ofMinutes(2);
  private static final Duration UNPACKING = Duration.ofMinutes(10);
  private static final Duration FETCHING = Duration.ofHours(1);
  /** Exit status of the lock script when another deploy holds the lock. */
  private static final int BUSY = 75;
  /*
   * Exit statuses of the download and checkout scripts. A failed curl, wget or git exits with one
   * of these instead of its own status, which could otherwise be taken for one.
   */
  private static final int DIGEST_MISMATCH = 65;
  private static final int NO_SUCH_REF = 66;
  private static final int TOOL_MISSING = 69;
  private static final int UNREACHABLE = 74;

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

  /** Unpacks beside the releases and renames into place, so no half release is ever visible. */
  private static final String UNPACK =
      """
      set -eu
      cd "$ROOT/releases"
      if [ -d "$RELEASE" ]; then rm -f ".incoming-$RELEASE.tar.gz"; echo present; exit 0; fi
      trap 'rm -rf ".partial-$RELEASE" ".incoming-$RELEASE.tar.gz"' EXIT
      rm -rf ".partial-$RELEASE"
      mkdir ".partial-$RELEASE"
      tar -xzf ".incoming-$RELEASE.tar.gz" -C ".partial-$RELEASE"
      mv -T ".partial-$RELEASE" "$RELEASE"
      echo staged
      """;

  /**
   * Downloads the archive to where an upload would put it, once its digest matches: a file that
   * does not match is deleted before anything reads it.
   */
  private static final String DOWNLOAD =
      """
      set -eu
      cd "$ROOT/releases"
      part=".incoming-$RELEASE.download"
      trap 'rm -f "$part"' EXIT
      if command -v curl >/dev/null 2>&1; then
        curl -fsSL --proto =http,https --proto-redir =http,https -o "$part" "$URL" || exit 74
      elif command -v wget >/dev/null 2>&1; then
        wget -nv -O "$part" "$URL" || exit 74
      else
        echo "neither curl nor wget is installed on the host: install one of them to download artifacts" >&2; exit 69
      fi
      if ! command -v sha256sum >/dev/null 2>&1; then
        echo "sha256sum is not installed on the host: install coreutils to check downloaded artifacts" >&2; exit 69
      fi
      actual=$(sha256sum "$part")
      actual=${actual%% *}
      if [ "$actual" != "$SHA256" ]; then printf '%s\\n' "$actual"; exit 65; fi
      mv -f "$part" ".incoming-$RELEASE.tar.gz"
      """;

  /**
   * Clones beside the releases, checks the ref out detached, and keeps only its files and the
   * commit they are (in REVISION): the release is what was deployed, not a repository.
   */
  private static final String CHECKOUT =
      """
      set -eu
      if ! command -v git >/dev/null 2>&1; then
        echo "git is not installed on the host: install it to deploy from a repository" >&2; exit 69
      fi
      cd "$ROOT/releases"
      if [ -d "$RELEASE" ]; then echo present; exit 0; fi
      partial=".partial-$RELEASE"
      trap 'rm -rf "$partial"' EXIT
      rm -rf "$partial"
      export GIT_TERMINAL_PROMPT=0
      git clone --quiet --no-checkout -- "$REPOSITORY" "$partial" || exit 74
      resolve() { git -C "$partial" rev-parse --quiet --verify "$1^{commit}"; }
      commit=$(resolve "refs/tags/$REF" || resolve "refs/remotes/origin/$REF" || resolve "$REF" \\
        || { git -C "$partial" fetch --quiet origin "$REF" 2>/dev/null && resolve FETCH_HEAD; }) || exit 66
      git -C "$partial" checkout --quiet --detach "$commit"
      rm -rf "$partial/.git"
      printf '%s\\n' "$commit" > "$partial/REVISION"
      mv -T "$partial" "$RELEASE"
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
   * Puts the release's files into {@code releases/<id>}: an archive uploaded from the worker or
   * downloaded by the host, then unpacked; or a commit the host checks out. An existing release
   * directory is left as it is; a failure leaves none.
   *
   * @return true if staged now, false if the release was there already
   * @throws ApplicationFailure non-retryable for a download whose digest differs
   *     ({@code ChecksumMismatch}), a ref the repository lacks ({@code GitRefMissing}) or a tool
   *     the host lacks ({@code ToolNotFound}); retryable when the host cannot fetch
   *     ({@code ArtifactFetchFailed})
   */
  boolean stage(String release, Artifact artifact) {
    Map<String, String> env = Map.of("RELEASE", ReleaseId.require(release));
    CommandResult present = script(IS_STAGED, env, QUICK);
    expectSuccess("look for the release", present);
    if (present.stdout().strip().equals("present")) {
      return false;
    }
    if (artifact instanceof Artifact.WorkerFile file) {
      upload(release, Path.of(file.path()));
    } else if (artifact instanceof Artifact.Download download) {
      download(release, download);
    } else {
      return checkOut(release, (Artifact.GitRef) artifact);
    }
    CommandResult unpacked = script(UNPACK, env, UNPACKING);
    expectSuccess("unpack the release", unpacked);
    return unpacked.stdout().strip().equals("staged");
  }

  private void upload(String release, Path archive) {
    try (InputStream in = Files.newInputStream(archive)) {
      ssh.upload(in, target.root() + "/releases/.incoming-" + release + ".tar.gz", 0600);
    } catch (IOException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "artifact: cannot read " + archive + " on the worker (" + e.getMessage() + ")", FailureTypes.INVALID_INPUT);
    }
  }

  private void download(String release, Artifact.Download artifact) {
    CommandResult r =
        script(DOWNLOAD, Map.of("RELEASE", release, "URL", artifact.url(), "SHA256", artifact.sha256()), FETCHING);
    if (r.exitStatus() == DIGEST_MISMATCH) {
      throw ApplicationFailure.newNonRetryableFailure(
          target.name() + ": the archive downloaded from " + artifact.url() + " has sha256 " + r.stdout().strip()
              + ", but artifact.sha256 expects " + artifact.sha256() + "; it was deleted without being unpacked. If the"
              + " build at that url was replaced on purpose, put its digest in the runbook",
          FailureTypes.CHECKSUM_MISMATCH);
    }
    if (r.exitStatus() == UNREACHABLE) {
      throw ApplicationFailure.newFailure(
          target.name() + ": could not download " + artifact.url() + ": " + lastLine(r.stderr()), FETCH_FAILED);
    }
    expectTools(r);
    expectSuccess("download the release", r);
  }

  private boolean checkOut(String release, Artifact.GitRef artifact) {
    CommandResult r =
        script(CHECKOUT, Map.of("RELEASE", release, "REPOSITORY", artifact.repository(), "REF", artifact.ref()), FETCHING);
    if (r.exitStatus() == NO_SUCH_REF) {
      throw ApplicationFailure.newNonRetryableFailure(
          target.name() + ": " + artifact.ref() + " is no tag, branch or commit of " + artifact.repository()
              + "; nothing was staged. Push it, or fix artifact.ref",
          REF_MISSING);
    }
    if (r.exitStatus() == UNREACHABLE) {
      throw ApplicationFailure.newFailure(
          target.name() + ": could not clone " + artifact.repository() + ": " + lastLine(r.stderr()), FETCH_FAILED);
    }
    expectTools(r);
    expectSuccess("check out the release", r);
    return r.stdout().strip().equals("staged");
  }

  private void expectTools(CommandResult r) {
    if (r.exitStatus() == TOOL_MISSING) {
      throw ApplicationFailure.newNonRetryableFailure(target.name() + ": " + r.stderr().strip(), FailureTypes.TOOL_NOT_FOUND);
    }
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

  private static String lastLine(String output) {
    String trimmed = output.strip();
    return trimmed.isEmpty() ? "(no message)" : trimmed.substring(trimmed.lastIndexOf('\n') + 1);
  }

  private void expectSuccess(String what, CommandResult r) {
    SshFailures.requireSuccess(target.name(), what + " under " + target.root(), r);
  }
}
