package io.durablerunbooks.rollout;

import io.durablerunbooks.ssh.CommandResult;
import io.durablerunbooks.ssh.RemoteCommand;
import io.durablerunbooks.ssh.SshFailures;
import io.durablerunbooks.ssh.SshSession;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one nginx file a rollout owns: a {@code split_clients} block on the request id, so every
 * request draws its version anew, with V2's weight. Written beside itself and renamed into place,
 * tested, then reloaded; the operator's test and reload commands run as {@code sh -c} with the
 * file's facts as environment variables.
 */
final class SplitFile {

  static final String TEST_FAILED = "NginxTestFailed";

  private static final Duration QUICK = Duration.ofMinutes(2);
  private static final Pattern WEIGHT = Pattern.compile("^# durable-runbooks rollout: v2 weight (\\d{1,3})$", Pattern.MULTILINE);

  /** Exit status of the write script when the test command failed and the previous file is back. */
  private static final int TEST_FAILED_STATUS = 3;

  private static final String CHECK =
      """
      set -eu
      out=$(sh -c "$TEST" 2>&1) || { printf '%s\\n' "$out" >&2; exit 3; }
      cat "$SPLIT_FILE" 2>/dev/null || true
      """;

  private static final String WRITE =
      """
      set -eu
      tmp="$(dirname "$SPLIT_FILE")/.$(basename "$SPLIT_FILE").incoming"
      printf '%s' "$CONTENT" > "$tmp"
      had=0
      if [ -f "$SPLIT_FILE" ]; then cp -p "$SPLIT_FILE" "$SPLIT_FILE.previous"; had=1; fi
      mv -f "$tmp" "$SPLIT_FILE"
      if ! out=$(sh -c "$TEST" 2>&1); then
        if [ "$had" = 1 ]; then mv -f "$SPLIT_FILE.previous" "$SPLIT_FILE"; else rm -f "$SPLIT_FILE"; fi
        printf '%s\\n' "$out" >&2
        exit 3
      fi
      out=$(sh -c "$RELOAD" 2>&1) || { printf 'reload failed: %s\\n' "$out" >&2; exit 4; }
      """;

  private final SshSession ssh;
  private final NginxTarget nginx;

  SplitFile(SshSession ssh, NginxTarget nginx) {
    this.ssh = ssh;
    this.nginx = nginx;
  }

  /**
   * The text of the file for V2's weight; 0 and 100 send everything one way, segments included.
   * With segments, a {@code map} on their header or cookie picks, per request, the segment's own
   * split or the step's.
   */
  static String content(NginxTarget nginx, int weight, String writtenBy) {
    StringBuilder text = new StringBuilder();
    text.append("# durable-runbooks rollout: v2 weight ").append(weight).append('\n');
    text.append("# Written by ").append(writtenBy.replace('\n', ' ')).append("; the rollout rewrites it at each step.\n");
    Segments segments = nginx.segments();
    if (!segments.any() || weight == 0 || weight == 100) {
      split(text, nginx, nginx.variable(), weight);
      return text.toString();
    }
    String weighted = nginx.variable() + "_weighted";
    split(text, nginx, weighted, weight);
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < segments.segments().size(); i++) {
      int share = segments.segments().get(i).weight();
      if (share == 0 || share == 100) {
        targets.add(share == 0 ? nginx.v1Upstream() : nginx.v2Upstream());
      } else {
        String own = nginx.variable() + "_segment" + (i + 1);
        split(text, nginx, own, share);
        targets.add("$" + own);
      }
    }
    text.append("map $").append(segments.variable()).append(" $").append(nginx.variable()).append(" {\n");
    text.append("    default $").append(weighted).append(";\n");
    for (int i = 0; i < targets.size(); i++) {
      text.append("    ").append(segments.segments().get(i).value()).append(' ').append(targets.get(i)).append(";\n");
    }
    text.append("}\n");
    return text.toString();
  }

  private static void split(StringBuilder text, NginxTarget nginx, String variable, int weight) {
    text.append("split_clients \"${request_id}\" $").append(variable).append(" {\n");
    if (weight > 0 && weight < 100) {
      text.append("    ").append(weight).append("% ").append(nginx.v2Upstream()).append(";\n");
    }
    text.append("    * ").append(weight == 100 ? nginx.v2Upstream() : nginx.v1Upstream()).append(";\n");
    text.append("}\n");
  }

  /** Runs the test command on the live configuration; returns V2's weight, -1 when unknown. */
  int check() {
    CommandResult r = script(CHECK, Map.of());
    if (r.exitStatus() == TEST_FAILED_STATUS) {
      throw ApplicationFailure.newNonRetryableFailure(
          nginx.host().name() + ": the live nginx configuration fails its test (" + nginx.testCommand() + "): "
              + r.stderr().strip() + "; fix it before shifting traffic",
          TEST_FAILED);
    }
    expectSuccess("read " + nginx.splitFile(), r);
    Matcher m = WEIGHT.matcher(r.stdout());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Writes, tests and reloads; returns when the reload command returned. */
  SplitChange apply(int weight, String writtenBy) {
    CommandResult r = script(WRITE, Map.of("CONTENT", content(nginx, weight, writtenBy)));
    if (r.exitStatus() == TEST_FAILED_STATUS) {
      throw ApplicationFailure.newNonRetryableFailure(
          nginx.host().name() + ": nginx refused the split for V2 at " + weight + " % (" + nginx.testCommand() + "): "
              + r.stderr().strip() + "; the previous file is back and the live configuration was not reloaded",
          TEST_FAILED);
    }
    expectSuccess("write " + nginx.splitFile() + " and reload", r);
    return new SplitChange(weight, Instant.now().toString());
  }

  private CommandResult script(String text, Map<String, String> values) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPLIT_FILE", nginx.splitFile());
    env.put("TEST", nginx.testCommand());
    env.put("RELOAD", nginx.reloadCommand());
    env.putAll(values);
    return ssh.run(RemoteCommand.script(text, env, ""), QUICK);
  }

  private void expectSuccess(String what, CommandResult r) {
    SshFailures.requireSuccess(nginx.host().name(), what, r);
  }
}
