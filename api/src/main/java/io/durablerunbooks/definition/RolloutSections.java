package io.durablerunbooks.definition;

import io.durablerunbooks.rollout.GuardPolicy;
import io.durablerunbooks.rollout.NginxTarget;
import io.durablerunbooks.rollout.ProbeSpec;
import io.durablerunbooks.rollout.PrometheusSource;
import io.durablerunbooks.rollout.Segments;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.rollout.Thresholds;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.ssh.SshHost;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The sections of a {@code kind: rollout} file (nginx, ssh, steps, bake, promote, probe, gates,
 * guards, split), read like the rest of the file by {@link RunbookValidator}: every problem under
 * its field path, the spec built only when nothing was wrong.
 */
final class RolloutSections {

  private static final List<Integer> DEFAULT_STEPS = List.of(10, 25, 50, 75, 100);
  private static final String STEPS_EXAMPLE = "[10, 25, 50, 75, 100]";
  private static final Duration DEFAULT_BAKE = Duration.ofMinutes(10);
  private static final String DEFAULT_TEST = "nginx -t";
  private static final String DEFAULT_RELOAD = "nginx -s reload";
  private static final String DEFAULT_HEADER = "X-Rollout-Backend";
  private static final int DEFAULT_RATE = 10;
  private static final int MAX_RATE = 1000;
  private static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  private static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Thresholds DEFAULT_GATES = new Thresholds(Duration.ofMillis(100), 0.01, 0.99);
  private static final Thresholds DEFAULT_GUARDS = new Thresholds(Duration.ofMillis(150), 0.05, 0.99);
  private static final Duration DEFAULT_SUSTAIN = Duration.ofSeconds(30);
  private static final int DEFAULT_TOLERANCE = 8;
  private static final int MAX_TOLERANCE = 50;
  private static final int DEFAULT_SAMPLES = 400;
  private static final int MIN_SAMPLES = 10;
  private static final String PROBE_EXAMPLE = "https://shop.example/api/version";

  /** A name nginx accepts for a variable or an upstream, and one its configuration needs no quotes for. */
  private static final Pattern NGINX_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
  private static final Pattern COOKIE = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Pattern SEGMENT_VALUE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final List<FieldError> errors;

  RolloutSections(List<FieldError> errors) {
    this.errors = errors;
  }

  Supplier<RunbookDefinition> rollout(Fields root, RunbookHeader header) {
    DeploySections.Ssh ssh = DeploySections.ssh(root);
    Nginx nginx = nginx(root, ssh == null ? null : ssh.port());
    List<Integer> steps = steps(root);
    Duration bake = root.positiveDuration("bake", DEFAULT_BAKE);
    Boolean manual = promote(root, header);
    // The window, the guards' limits and their sustain are each checked against the others even
    // when a field beside them is wrong, so that one pass reports every problem.
    Fields p = root.requiredObject("probe");
    Duration window = p == null ? null : p.positiveDuration("window", DEFAULT_WINDOW);
    ProbeSpec probe = p == null ? null : probe(p, window, bake);
    PrometheusSource prometheus = metrics(root);
    Segments segments = segments(root);
    Thresholds gates = gates(root);
    Fields g = root.object("guards");
    Thresholds limits = g == null ? null : thresholds(g, DEFAULT_GUARDS);
    GuardPolicy guards = g == null ? null : guards(g, limits, window);
    if (gates != null && limits != null) {
      gatesWithinGuards(root, gates, limits);
    }
    Fields f = root.object("split");
    Integer tolerance = f == null ? null : f.integer("tolerance", DEFAULT_TOLERANCE, 1, MAX_TOLERANCE);
    Integer samples = f == null ? null : f.integer("samples", DEFAULT_SAMPLES, MIN_SAMPLES, Integer.MAX_VALUE);
    if (f != null) {
      f.finish();
    }
    return () ->
        new RolloutSpec(header, nginx.target(ssh, segments), steps, bake, manual, probe, prometheus, gates, guards, tolerance, samples);
  }

  /** The nginx section as read; its host's login and key come from the ssh section. */
  private record Nginx(
      String name, String address, int port, String splitFile, String variable, String v1, String v2, String test, String reload) {

    NginxTarget target(DeploySections.Ssh ssh, Segments segments) {
      return new NginxTarget(
          new SshHost(name, address, port, ssh.user()), ssh.access(), splitFile, variable, v1, v2, test, reload, segments);
    }
  }

  /** @param defaultPort null when unknown (no ssh section, or ssh.port is wrong) */
  private Nginx nginx(Fields root, Integer defaultPort) {
    Fields f = root.requiredObject("nginx");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    Fields host = f.requiredObject("host");
    String name = host == null ? null : DeploySections.hostName(host);
    String address = host == null ? null : DeploySections.address(host);
    // 0 stands for the port of ssh.port when that has an error of its own.
    Integer port = host == null ? null : host.integer("port", defaultPort == null ? 0 : defaultPort, 1, 65_535);
    if (host != null) {
      host.finish();
    }
    String splitFile = RunbookValidator.matching(f, "splitFile", f.requiredText("splitFile"), DeploySections.HOST_DIRECTORY,
        "must be an absolute path on the nginx host, like /etc/nginx/conf.d/shop-split.conf, without spaces, '.' or '..'"
            + " parts or a trailing '/'");
    String variable = RunbookValidator.matching(f, "variable", f.requiredText("variable"), NGINX_NAME,
        "must be an nginx variable name without the $: lowercase letters, digits and '_', not starting with a digit,"
            + " like shop_backend");
    String v1 = upstream(f, "v1", "shop_v1");
    String v2 = upstream(f, "v2", "shop_v2");
    String test = command(f, "test", DEFAULT_TEST, "checks nginx's configuration and exits non-zero when it is broken");
    String reload = command(f, "reload", DEFAULT_RELOAD, "reloads nginx without dropping connections");
    f.finish();
    if (v1 != null && v1.equals(v2)) {
      f.error("v2", "\"" + v2 + "\" is v1 too: V1 and V2 are two upstream blocks, so that all traffic can go back to V1;"
          + " name the upstream of the new version");
    }
    return errors.size() == before ? new Nginx(name, address, port, splitFile, variable, v1, v2, test, reload) : null;
  }

  private static String upstream(Fields f, String key, String example) {
    return RunbookValidator.matching(f, key, f.requiredText(key), NGINX_NAME,
        "must be the name of an upstream block of nginx's configuration: lowercase letters, digits and '_', not starting"
            + " with a digit, like " + example);
  }

  /** A command run on the nginx host; it cannot be skipped. */
  private static String command(Fields f, String key, String fallback, String does) {
    String command = f.text(key, fallback);
    if (command != null && command.isBlank()) {
      f.error(key, "must not be empty: the command that " + does + ", like " + fallback + " (the default)");
      return null;
    }
    return command;
  }

  /** V2's weight at each step: rising, ending at 100. */
  private List<Integer> steps(Fields root) {
    List<Integer> steps = root.integerList("steps", 1, 100, STEPS_EXAMPLE);
    if (steps == null) {
      return null;
    }
    if (steps.isEmpty()) {
      if (!root.present("steps")) {
        return DEFAULT_STEPS;
      }
      root.error("steps", "needs at least one step: V2's share of the traffic in percent, rising to 100, like " + STEPS_EXAMPLE
          + " (the default)");
      return null;
    }
    int before = errors.size();
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i) <= steps.get(i - 1)) {
        errors.add(
            new FieldError(
                root.pathOf("steps") + "[" + i + "]",
                "must be greater than the step before it (" + steps.get(i - 1) + "): traffic only moves toward V2, so the"
                    + " steps rise, like " + STEPS_EXAMPLE + " (got " + steps.get(i) + ")"));
      }
    }
    if (steps.get(steps.size() - 1) != 100) {
      root.error("steps", "must end at 100, all traffic on V2, like " + STEPS_EXAMPLE + " (got " + steps + ")");
    }
    return errors.size() == before ? steps : null;
  }

  /** Whether a GO is needed before each step after the first. */
  private static Boolean promote(Fields root, RunbookHeader header) {
    String promote = root.choice("promote", "auto", List.of("auto", "manual"));
    if ("manual".equals(promote) && header != null && header.approval().approvers().isEmpty()) {
      root.error("promote", "manual needs a GO before each step after the first, and at least one approver to send it,"
          + " e.g. approvers: [alice]");
      return null;
    }
    return promote == null ? null : promote.equals("manual");
  }

  /**
   * @param window null after an error of its own
   * @param bake null when it has an error of its own, and then the window is not compared with it
   */
  private ProbeSpec probe(Fields f, Duration window, Duration bake) {
    int before = errors.size();
    String url = f.requiredText("url");
    if (url != null && !isProbeUrl(url)) {
      f.error("url", "must be an http:// or https:// URL with a host and no #fragment, requested through nginx, like "
          + PROBE_EXAMPLE + " (got " + f.shown("url") + ")");
    }
    String header = RunbookValidator.matching(f, "header", f.text("header", DEFAULT_HEADER), HEADER,
        "must be an HTTP header name: letters, digits and '-', at most 64 characters, like " + DEFAULT_HEADER);
    Integer rate = f.integer("rate", DEFAULT_RATE, 1, MAX_RATE);
    Duration timeout = f.positiveDuration("timeout", DEFAULT_PROBE_TIMEOUT);
    f.finish();
    if (window != null && bake != null && window.compareTo(bake) > 0) {
      f.error("window", "must be at most bake (" + Durations.format(bake) + "): each step bakes for whole observations"
          + " of the probe (got " + Durations.format(window) + ")");
    }
    return errors.size() == before && window != null ? new ProbeSpec(url, header, rate, window, timeout) : null;
  }

  /**
   * Where the guards and gates read V1's and V2's numbers: the probe (the default), or Prometheus
   * with three queries in which {upstream} and {window} are filled in per version and observation.
   */
  private PrometheusSource metrics(Fields root) {
    Fields f = root.object("metrics");
    if (f == null) {
      return null;
    }
    String source = f.text("source", "probe");
    if (source == null) {
      f.finish();
      return null;
    }
    if (source.equals("probe")) {
      f.finish();
      return PrometheusSource.NONE;
    }
    if (!source.equals("prometheus")) {
      f.error("source", "must be probe (requests sent through nginx, the default) or prometheus (got " + f.shown("source") + ")");
      f.finish();
      return null;
    }
    int before = errors.size();
    String url = f.requiredText("url");
    if (url != null && !isProbeUrl(url)) {
      f.error("url", "must be the Prometheus server's http:// or https:// URL, like http://prometheus:9090 (got " + f.shown("url") + ")");
    }
    String latency = query(f, "latency", "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket"
        + "{upstream=\"{upstream}\"}[{window}])))");
    if (latency != null && !latency.contains("histogram_quantile(0.95")) {
      f.error("latency", "must take the 95th percentile from a histogram with histogram_quantile(0.95, ...): a mean or a"
          + " summary hides the slow requests");
    }
    String requests = query(f, "requests", "sum(increase(http_request_duration_seconds_count{upstream=\"{upstream}\"}[{window}]))");
    String failed = query(f, "errors",
        "sum(increase(http_request_duration_seconds_count{upstream=\"{upstream}\",code=~\"5..\"}[{window}]))");
    Duration timeout = f.positiveDuration("timeout", DEFAULT_PROBE_TIMEOUT);
    f.finish();
    return errors.size() == before ? new PrometheusSource(url, latency, requests, failed, timeout) : null;
  }

  /**
   * Requests routed by one header or cookie ahead of the weighted split, each listed value with
   * its own share of V2 for the whole rollout.
   */
  private Segments segments(Fields root) {
    Fields f = root.object("segments");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String header = f.text("header", "");
    String cookie = f.text("cookie", "");
    List<Fields> items = f.objectList("values");
    f.finish();
    if (header == null || cookie == null || items == null) {
      return null;
    }
    if (header.isEmpty() && cookie.isEmpty()) {
      if (!items.isEmpty()) {
        f.error("header", "required with values: the request header the segments are read from, like X-Customer-Tier"
            + " (or cookie: tier)");
      }
      return errors.size() == before ? Segments.NONE : null;
    }
    if (!header.isEmpty() && !cookie.isEmpty()) {
      f.error("cookie", "give header or cookie, not both: one map decides each request's segment");
      return null;
    }
    if (!header.isEmpty() && !HEADER.matcher(header).matches()) {
      f.error("header", "must be an HTTP header name: letters, digits and '-', like X-Customer-Tier (got " + f.shown("header") + ")");
    }
    if (!cookie.isEmpty() && !COOKIE.matcher(cookie).matches()) {
      f.error("cookie", "must be a cookie name of lowercase letters, digits and '_', like tier (got " + f.shown("cookie") + ")");
    }
    if (items.isEmpty()) {
      f.error("values", "required: at least one value and its share of V2, like [{ value: beta, weight: 100 }]");
    }
    List<Segments.Segment> list = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Fields item : items) {
      String value = RunbookValidator.matching(item, "value", item.requiredText("value"), SEGMENT_VALUE,
          "must be letters, digits, '.', '_' or '-', at most 64 characters, like beta");
      Integer weight = item.integer("weight", 0, 0, 100);
      if (!item.present("weight")) {
        item.error("weight", "required: V2's share of this segment's requests for the whole rollout, 0 to 100, like 100");
        weight = null;
      }
      item.finish();
      if (value != null && !seen.add(value)) {
        item.error("value", "\"" + value + "\" is listed twice");
      }
      if (value != null && weight != null) {
        list.add(new Segments.Segment(value, weight));
      }
    }
    if (errors.size() != before) {
      return null;
    }
    String variable = header.isEmpty() ? "cookie_" + cookie : "http_" + header.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    return new Segments(variable, list);
  }

  /** A PromQL query that names the version and the window by their placeholders. */
  private static String query(Fields f, String key, String example) {
    String q = f.requiredText(key);
    if (q != null && (!q.contains(PrometheusSource.UPSTREAM) || !q.contains(PrometheusSource.WINDOW))) {
      f.error(key, "must use " + PrometheusSource.UPSTREAM + " for the version's upstream name and " + PrometheusSource.WINDOW
          + " for the observation window, like " + example);
      return null;
    }
    return q;
  }

  private static boolean isProbeUrl(String text) {
    URI uri = RunbookValidator.uri(text);
    return uri != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getRawFragment() == null;
  }

  private Thresholds gates(Fields root) {
    Fields f = root.object("gates");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    Thresholds gates = thresholds(f, DEFAULT_GATES);
    f.finish();
    if (gates != null && gates.errorRate() == 0) {
      f.error("errorRate", "a step is promoted only with an error rate below this, so 0% would never promote one;"
          + " allow a small share, like 0.1%");
    }
    return errors.size() == before ? gates : null;
  }

  /**
   * The rest of the guards section, once its limits are read.
   *
   * @param limits null after an error of their own
   * @param window null when it has an error of its own, and then the sustain is not compared with it
   */
  private GuardPolicy guards(Fields f, Thresholds limits, Duration window) {
    int before = errors.size();
    Duration sustain = f.positiveDuration("sustain", DEFAULT_SUSTAIN);
    String missing = f.choice("onMissingData", "rollback", List.of("rollback", "pause"));
    f.finish();
    if (sustain != null && window != null && sustain.compareTo(window) < 0) {
      f.error("sustain", "must be at least probe.window (" + Durations.format(window) + "): a breach is sustained over"
          + " whole observations, and one observation lasts probe.window (got " + Durations.format(sustain) + ")");
    }
    return errors.size() == before && limits != null
        ? new GuardPolicy(limits, sustain, GuardPolicy.MissingData.valueOf(missing.toUpperCase(Locale.ROOT)))
        : null;
  }

  /** p95, errorRate and availability of a mapping that may hold more; null after an error. */
  private Thresholds thresholds(Fields f, Thresholds defaults) {
    int before = errors.size();
    Duration p95 = f.positiveDuration("p95", defaults.p95());
    Double errorRate = f.percent("errorRate", defaults.errorRate());
    Double availability = f.percent("availability", defaults.availability());
    return errors.size() == before ? new Thresholds(p95, errorRate, availability) : null;
  }

  /** A step promoted by its gate must not be one the guards would roll back. */
  private void gatesWithinGuards(Fields root, Thresholds gates, Thresholds guards) {
    String loose = " a step could be promoted while the guard would roll it back;";
    if (gates.p95().compareTo(guards.p95()) > 0) {
      gateError(root, "p95", Durations.format(gates.p95()), Durations.format(guards.p95()),
          loose + " make it at most " + Durations.format(guards.p95()));
    }
    if (gates.errorRate() > guards.errorRate()) {
      gateError(root, "errorRate", percent(gates.errorRate()), percent(guards.errorRate()),
          loose + " make it at most " + percent(guards.errorRate()));
    }
    if (gates.availability() < guards.availability()) {
      gateError(root, "availability", percent(gates.availability()), percent(guards.availability()),
          loose + " make it at least " + percent(guards.availability()));
    }
  }

  private void gateError(Fields root, String key, String gate, String guard, String fix) {
    errors.add(
        new FieldError(
            root.pathOf("gates") + "." + key,
            "is looser than guards." + key + " (" + gate + " against " + guard + "):" + fix));
  }

  /** A fraction as the file writes it: 0.995 as {@code 99.5%}. */
  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }
}
