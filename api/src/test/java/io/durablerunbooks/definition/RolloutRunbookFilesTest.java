package io.durablerunbooks.definition;

import static io.durablerunbooks.definition.RunbookFilesTest.assertOnlyError;
import static io.durablerunbooks.definition.RunbookFilesTest.errors;
import static io.durablerunbooks.definition.RunbookFilesTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.rollout.GuardPolicy;
import io.durablerunbooks.rollout.NginxTarget;
import io.durablerunbooks.rollout.ProbeSpec;
import io.durablerunbooks.rollout.PrometheusSource;
import io.durablerunbooks.rollout.Segments;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.rollout.Thresholds;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutRunbookFilesTest {

  static final String ROLLOUT =
      """
      kind: rollout
      name: shop-v2
      environment: production
      description: Shop v2 takes the traffic
      approvers: [alice]
      approval: { required: true, timeout: 2h }
      nginx:
        host: { name: lb1, address: 10.0.0.5, port: 2222 }
        splitFile: /etc/nginx/conf.d/shop-split.conf
        variable: shop_backend
        v1: shop_v1
        v2: shop_v2
        test: "sudo nginx -t"
        reload: "sudo nginx -s reload"
      ssh: { user: deploy, privateKey: "${file:/run/secrets/deploy_key}", knownHosts: /etc/runbooks/known_hosts, port: 22 }
      steps: [5, 20, 60, 100]
      bake: 1h
      promote: manual
      probe:
        url: https://shop.example/api/version
        header: X-Shop-Backend
        rate: 20
        window: 15s
        timeout: 500ms
      segments:
        header: X-Customer-Tier
        values: [{ value: beta, weight: 100 }, { value: partners, weight: 50 }, { value: enterprise, weight: 0 }]
      metrics:
        source: prometheus
        url: http://prometheus.internal:9090
        latency: 'histogram_quantile(0.95, sum by (le) (rate(http_seconds_bucket{upstream="{upstream}"}[{window}])))'
        requests: 'sum(increase(http_seconds_count{upstream="{upstream}"}[{window}]))'
        errors: 'sum(increase(http_seconds_count{upstream="{upstream}",code=~"5.."}[{window}]))'
        timeout: 3s
      gates:
        p95: 80ms
        errorRate: 0.5%
        availability: 99.9%
      guards:
        p95: 150ms
        errorRate: 5%
        availability: 99.5%
        sustain: 1m
        onMissingData: pause
      split:
        tolerance: 3
        samples: 400
      """;

  /** Only what a rollout requires. */
  static final String MINIMAL_ROLLOUT =
      """
      kind: rollout
      name: shop-v2
      environment: staging
      nginx:
        host: { name: lb1, address: 10.0.0.5 }
        splitFile: /etc/nginx/conf.d/shop-split.conf
        variable: shop_backend
        v1: shop_v1
        v2: shop_v2
      ssh:
        user: deploy
        privateKey: "${file:/run/secrets/deploy_key}"
        knownHosts: /etc/runbooks/known_hosts
      probe:
        url: https://shop.example/api/version
      """;

  private static RolloutSpec rollout(String yaml, Map<String, String> overrides) {
    return (RolloutSpec) parse(yaml, overrides);
  }

  @Nested
  class ValidFiles {

    @Test
    void aRolloutFileBecomesARolloutSpecWithEveryFieldItSays() {
      assertThat(parse(ROLLOUT))
          .isEqualTo(
              new RolloutSpec(
                  new RunbookHeader(
                      RunbookKind.ROLLOUT,
                      "shop-v2",
                      "production",
                      "Shop v2 takes the traffic",
                      new ApprovalPolicy(true, List.of("alice"), false, Duration.ofHours(2)),
                      ""),
                  new NginxTarget(
                      new SshHost("lb1", "10.0.0.5", 2222, "deploy"),
                      new SshAccess(SecretRef.of("${file:/run/secrets/deploy_key}"), "", "/etc/runbooks/known_hosts"),
                      "/etc/nginx/conf.d/shop-split.conf",
                      "shop_backend",
                      "shop_v1",
                      "shop_v2",
                      "sudo nginx -t",
                      "sudo nginx -s reload",
                      new Segments("http_x_customer_tier", List.of(new Segments.Segment("beta", 100),
                          new Segments.Segment("partners", 50), new Segments.Segment("enterprise", 0)))),
                  List.of(5, 20, 60, 100),
                  Duration.ofHours(1),
                  true,
                  new ProbeSpec("https://shop.example/api/version", "X-Shop-Backend", 20, Duration.ofSeconds(15), Duration.ofMillis(500)),
                  new PrometheusSource(
                      "http://prometheus.internal:9090",
                      "histogram_quantile(0.95, sum by (le) (rate(http_seconds_bucket{upstream=\"{upstream}\"}[{window}])))",
                      "sum(increase(http_seconds_count{upstream=\"{upstream}\"}[{window}]))",
                      "sum(increase(http_seconds_count{upstream=\"{upstream}\",code=~\"5..\"}[{window}]))",
                      Duration.ofSeconds(3)),
                  new Thresholds(Duration.ofMillis(80), 0.005, 0.999),
                  new GuardPolicy(
                      new Thresholds(Duration.ofMillis(150), 0.05, 0.995), Duration.ofMinutes(1), GuardPolicy.MissingData.PAUSE),
                  3,
                  400));
    }

    @Test
    void leftOutFieldsTakeTheDocumentedDefaults() {
      RolloutSpec spec = rollout(MINIMAL_ROLLOUT, Map.of());

      assertThat(spec.header().approval()).isEqualTo(ApprovalPolicy.unattended());
      assertThat(spec.nginx().host()).isEqualTo(new SshHost("lb1", "10.0.0.5", 22, "deploy"));
      assertThat(spec.nginx().testCommand()).isEqualTo("nginx -t");
      assertThat(spec.nginx().reloadCommand()).isEqualTo("nginx -s reload");
      assertThat(spec.weights()).containsExactly(10, 25, 50, 75, 100);
      assertThat(spec.bake()).isEqualTo(Duration.ofMinutes(10));
      assertThat(spec.promoteEachStep()).isFalse();
      assertThat(spec.probe())
          .isEqualTo(new ProbeSpec("https://shop.example/api/version", "X-Rollout-Backend", 10, Duration.ofSeconds(10), Duration.ofSeconds(2)));
      assertThat(spec.promote()).isEqualTo(new Thresholds(Duration.ofMillis(100), 0.01, 0.99));
      assertThat(spec.guard())
          .isEqualTo(new GuardPolicy(new Thresholds(Duration.ofMillis(150), 0.05, 0.99), Duration.ofSeconds(30), GuardPolicy.MissingData.ROLLBACK));
      assertThat(spec.splitTolerance()).isEqualTo(8);
      assertThat(spec.splitSamples()).isEqualTo(400);
    }

    @Test
    void theNginxHostTakesTheSshPortUnlessItNamesItsOwn() {
      assertThat(rollout(MINIMAL_ROLLOUT, Map.of("ssh.port", "2200")).nginx().host().port()).isEqualTo(2200);
      assertThat(rollout(MINIMAL_ROLLOUT, Map.of("ssh.port", "2200", "nginx.host.port", "12210")).nginx().host().port()).isEqualTo(12210);
    }

    @Test
    void fieldsCanBeSetOnTheCommandLine() {
      RolloutSpec spec =
          rollout(
              MINIMAL_ROLLOUT,
              Map.of("bake", "30m", "steps", "20,100", "guards.onMissingData", "pause", "gates.p95", "80ms", "probe.window", "20s"));

      assertThat(spec.bake()).isEqualTo(Duration.ofMinutes(30));
      assertThat(spec.weights()).containsExactly(20, 100);
      assertThat(spec.guard().missingData()).isEqualTo(GuardPolicy.MissingData.PAUSE);
      assertThat(spec.promote().p95()).isEqualTo(Duration.ofMillis(80));
      assertThat(spec.probe().window()).isEqualTo(Duration.ofSeconds(20));
      assertThat(rollout(ROLLOUT, Map.of("steps", "50,100")).weights()).as("replaces the file's list").containsExactly(50, 100);
    }

    @Test
    void oneStepStraightTo100IsAllowed() {
      assertThat(rollout(MINIMAL_ROLLOUT, Map.of("steps", "100")).weights()).containsExactly(100);
    }

    @ParameterizedTest
    @CsvSource({
      "guards.availability, 0%, 0",
      "guards.availability, 0.5%, 0.005",
      "guards.availability, 12.25%, 0.1225",
      "guards.availability, 99%, 0.99",
      "gates.availability, 99.95%, 0.9995",
      "gates.availability, 100%, 1"
    })
    void percentagesAreFractionsOfOne(String field, String text, double fraction) {
      RolloutSpec spec = rollout(MINIMAL_ROLLOUT, Map.of(field, text));

      Thresholds read = field.startsWith("gates") ? spec.promote() : spec.guard().limits();
      assertThat(read.availability()).isEqualTo(fraction);
    }

    @Test
    void aManualRolloutWithAnApproverWaitsForAGoBeforeEachStep() {
      assertThat(rollout(MINIMAL_ROLLOUT, Map.of("promote", "manual", "approvers", "alice")).promoteEachStep()).isTrue();
    }

    @Test
    void aProductionRolloutLoadsWithAnApproval() {
      RolloutSpec spec =
          rollout(MINIMAL_ROLLOUT, Map.of("environment", "production", "approval.required", "true", "approvers", "alice"));

      assertThat(spec.header().production()).isTrue();
      assertThat(spec.header().approval().required()).isTrue();
    }
  }

  @Nested
  class Rules {

    @Test
    void everyErrorOfTheFileIsReportedInOnePass() {
      String yaml =
          ROLLOUT
              .replace("port: 2222", "port: 0")
              .replace("v2: shop_v2", "v2: shop-v2")
              .replace("steps: [5, 20, 60, 100]", "steps: [5, 20, 60]")
              .replace("promote: manual", "promote: later")
              .replace("rate: 20", "rate: 2000")
              .replace("p95: 80ms", "p95: 200ms")
              .replace("sustain: 1m", "sustain: 5s")
              .replace("samples: 400", "sample: 400");

      assertThat(errors(yaml))
          .extracting(FieldError::path)
          .containsExactly(
              "nginx.host.port",
              "nginx.v2",
              "steps",
              "promote",
              "probe.rate",
              "guards.sustain",
              "gates.p95",
              "split.sample");
    }

    @Test
    void nginxAndItsHostAreRequired() {
      assertOnlyError(errors(MINIMAL_ROLLOUT.replaceAll("(?s)nginx:.*?v2: shop_v2\n", "")), "nginx", "required");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT.replace("  host: { name: lb1, address: 10.0.0.5 }\n", "")), "nginx.host", "required");
      assertThat(errors(MINIMAL_ROLLOUT.replace("{ name: lb1, address: 10.0.0.5 }", "{ }")))
          .extracting(FieldError::toString)
          .containsExactly("nginx.host.name: required", "nginx.host.address: required");
    }

    @Test
    void theNginxHostIsNamedAndAddressedLikeADeploysHosts() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.host.address", "10.0.0.5;reboot")),
          "nginx.host.address",
          "must be a host name or an IP address, like 10.0.0.11 or web1.internal (got \"10.0.0.5;reboot\")");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("nginx.host.name", "LB_1")), "nginx.host.name", "must be lowercase letters");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.host.port", "65536")), "nginx.host.port", "expected an integer between 1 and 65535");
    }

    @Test
    void sshIsTheDeploysSection() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("ssh.privateKey", "b3BlbnNzaC1rZXktdjEAAAAA")),
          "ssh.privateKey",
          "must be a secret reference like ${env:DEPLOY_SSH_KEY}");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("ssh.user", "deploy user")), "ssh.user", "must be a login name like deploy");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT.replaceAll("(?s)ssh:.*?knownHosts: /etc/runbooks/known_hosts\n", "")), "ssh", "required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"conf.d/shop-split.conf", "/etc/nginx/../shop.conf", "/etc/nginx/my split.conf", "/etc/nginx/conf.d/"})
    void theSplitFileIsAnAbsolutePathOnTheNginxHost(String path) {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.splitFile", path)),
          "nginx.splitFile",
          "must be an absolute path on the nginx host, like /etc/nginx/conf.d/shop-split.conf, without spaces, '.' or '..'"
              + " parts or a trailing '/' (got \"" + path + "\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"$shop_backend", "shop-backend", "Shop_backend", "1backend", "shop backend"})
    void theVariableIsAnNginxName(String variable) {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.variable", variable)),
          "nginx.variable",
          "must be an nginx variable name without the $: lowercase letters, digits and '_', not starting with a digit, like"
              + " shop_backend (got \"" + variable + "\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop-v1", "ShopV1", "9shop", "http://10.0.0.21"})
    void theUpstreamsAreNginxNames(String upstream) {
      String phrase =
          "must be the name of an upstream block of nginx's configuration: lowercase letters, digits and '_', not starting"
              + " with a digit, like ";
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("nginx.v1", upstream)), "nginx.v1", phrase + "shop_v1 (got \"" + upstream + "\")");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("nginx.v2", upstream)), "nginx.v2", phrase + "shop_v2 (got \"" + upstream + "\")");
    }

    @Test
    void theUpstreamsAreRequired() {
      assertThat(errors(MINIMAL_ROLLOUT.replace("  v1: shop_v1\n", "").replace("  variable: shop_backend\n", "")))
          .extracting(FieldError::toString)
          .containsExactly("nginx.variable: required", "nginx.v1: required");
    }

    @Test
    void v1AndV2AreTwoUpstreams() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.v2", "shop_v1")),
          "nginx.v2",
          "\"shop_v1\" is v1 too: V1 and V2 are two upstream blocks, so that all traffic can go back to V1; name the upstream of"
              + " the new version");
    }

    @Test
    void theNginxCommandsCannotBeSkipped() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.test", " ")),
          "nginx.test",
          "must not be empty: the command that checks nginx's configuration and exits non-zero when it is broken, like nginx -t"
              + " (the default)");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("nginx.reload", "")),
          "nginx.reload",
          "must not be empty: the command that reloads nginx without dropping connections, like nginx -s reload (the default)");
    }

    @Test
    void stepsRiseStrictly() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT + "steps: [10, 50, 50, 100]\n"),
          "steps[2]",
          "must be greater than the step before it (50): traffic only moves toward V2, so the steps rise, like [10, 25, 50, 75,"
              + " 100] (got 50)");
      assertOnlyError(errors(MINIMAL_ROLLOUT + "steps: [50, 25, 100]\n"), "steps[1]", "must be greater than the step before it (50)");
    }

    @Test
    void stepsEndAt100() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT + "steps: [10, 50]\n"),
          "steps",
          "must end at 100, all traffic on V2, like [10, 25, 50, 75, 100] (got [10, 50])");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("steps", "50")), "steps", "must end at 100");
    }

    @ParameterizedTest
    @CsvSource({"'[0, 50, 100]', 0, 0", "'[10, 25, 50, 75, 101]', 4, 101", "'[10, 50.5, 100]', 1, 50.5", "'[10, fifty, 100]', 1, \"fifty\""})
    void eachStepIsAPercentFrom1To100(String steps, int index, String shown) {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT + "steps: " + steps + "\n"),
          "steps[" + index + "]",
          "expected an integer between 1 and 100, got " + shown);
    }

    @Test
    void stepsAreAListOfAtLeastOne() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT + "steps: []\n"),
          "steps",
          "needs at least one step: V2's share of the traffic in percent, rising to 100, like [10, 25, 50, 75, 100] (the default)");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT + "steps: fast\n"),
          "steps",
          "expected a list of integers like [10, 25, 50, 75, 100], got \"fast\"");
    }

    @Test
    void theBakeIsADurationLongerThanZero() {
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("bake", "0s")), "bake", "must be longer than zero, got \"0s\"");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("bake", "600")), "bake", "expected a duration like 30s, 15m, 1h, 2d or PT1H, got 600");
    }

    @Test
    void promoteIsAutoOrManual() {
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("promote", "later")), "promote", "expected one of auto, manual, got \"later\"");
    }

    @Test
    void manualPromotionNeedsAnApprover() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("promote", "manual")),
          "promote",
          "manual needs a GO before each step after the first, and at least one approver to send it, e.g. approvers: [alice]");
    }

    @Test
    void theProbeAndItsUrlAreRequired() {
      assertOnlyError(errors(MINIMAL_ROLLOUT.replace("probe:\n  url: https://shop.example/api/version\n", "")), "probe", "required");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT.replace("  url: https://shop.example/api/version\n", "  rate: 5\n")), "probe.url", "required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop.example/api/version", "ftp://shop.example/x", "https:///api", "https://shop.example/api#v"})
    void theProbeUrlIsHttpWithAHost(String url) {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("probe.url", url)),
          "probe.url",
          "must be an http:// or https:// URL with a host and no #fragment, requested through nginx, like"
              + " https://shop.example/api/version (got \"" + url + "\")");
    }

    @Test
    void theProbeHeaderIsAHeaderName() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("probe.header", "X Backend:")),
          "probe.header",
          "must be an HTTP header name: letters, digits and '-', at most 64 characters, like X-Rollout-Backend (got \"X Backend:\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "fast"})
    void theProbeRateIsFrom1To1000PerSecond(String rate) {
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("probe.rate", rate)), "probe.rate", "expected an integer between 1 and 1000");
    }

    @Test
    void anObservationFitsInTheBake() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("bake", "5s")),
          "probe.window",
          "must be at most bake (5s): each step bakes for whole observations of the probe (got 10s)");
      assertThat(rollout(MINIMAL_ROLLOUT, Map.of("bake", "10s")).probe().window()).as("equal is enough").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theProbeTimeoutIsLongerThanZero() {
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("probe.timeout", "0ms")), "probe.timeout", "must be longer than zero");
    }

    @Test
    void aBreachIsSustainedOverAtLeastOneObservation() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("guards.sustain", "5s")),
          "guards.sustain",
          "must be at least probe.window (10s): a breach is sustained over whole observations, and one observation lasts"
              + " probe.window (got 5s)");
      assertThat(rollout(MINIMAL_ROLLOUT, Map.of("guards.sustain", "10s")).guard().sustain()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void gatesAreAtLeastAsStrictAsGuards() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("gates.p95", "200ms")),
          "gates.p95",
          "is looser than guards.p95 (200ms against 150ms): a step could be promoted while the guard would roll it back; make it"
              + " at most 150ms");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("guards.errorRate", "0.5%")),
          "gates.errorRate",
          "is looser than guards.errorRate (1% against 0.5%): a step could be promoted while the guard would roll it back; make it"
              + " at most 0.5%");
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("gates.availability", "98.5%")),
          "gates.availability",
          "is looser than guards.availability (98.5% against 99%): a step could be promoted while the guard would roll it back;"
              + " make it at least 99%");
    }

    @Test
    void gatesEqualToTheGuardsAreStrictEnough() {
      RolloutSpec spec =
          rollout(MINIMAL_ROLLOUT, Map.of("gates.p95", "150ms", "gates.errorRate", "5%", "gates.availability", "99%"));

      assertThat(spec.promote()).isEqualTo(spec.guard().limits());
    }

    @Test
    void aGateThatAllowsNoErrorWouldNeverPromote() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("gates.errorRate", "0%")),
          "gates.errorRate",
          "a step is promoted only with an error rate below this, so 0% would never promote one; allow a small share, like 0.1%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "0.05", "150%", "five", "5 %", "-1%", "1.2345678%"})
    void percentagesAreWrittenWithAPercentSign(String value) {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("guards.errorRate", value)),
          "guards.errorRate",
          "expected a percentage from 0% to 100%, like 1% or 99.5%, got ");
    }

    @Test
    void onMissingDataRollsBackOrPauses() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("guards.onMissingData", "ignore")),
          "guards.onMissingData",
          "expected one of rollback, pause, got \"ignore\"");
    }

    @Test
    void theSplitCheckIsBounded() {
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("split.tolerance", "0")), "split.tolerance", "expected an integer between 1 and 50, got 0");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("split.tolerance", "51")), "split.tolerance", "expected an integer between 1 and 50, got 51");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("split.samples", "9")), "split.samples", "expected an integer >= 10, got 9");
    }

    @Test
    void aProductionRolloutWaitsForAGo() {
      assertOnlyError(
          errors(MINIMAL_ROLLOUT, Map.of("environment", "production", "approvers", "alice")),
          "approval.required",
          "a traffic shift in production always waits for an approval: set approval.required: true and list at least one"
              + " approver");
      List<FieldError> errors = errors(MINIMAL_ROLLOUT, Map.of("environment", "prod-eu"));
      assertThat(errors).extracting(FieldError::path).containsExactly("approval.required", "approvers");
      assertThat(errors.get(1).message()).isEqualTo("a traffic shift in production needs at least one approver, e.g. approvers: [alice]");
    }

    @Test
    void unknownFieldsAreRefusedWithTheNearestName() {
      assertOnlyError(errors(MINIMAL_ROLLOUT + "bak: 5m\n"), "bak", "unknown field (did you mean \"bake\"?)");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("nginx.tests", "nginx -t")), "nginx.tests", "unknown field (did you mean \"test\"?)");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("guards.sustained", "1m")), "guards.sustained", "unknown field (did you mean \"sustain\"?)");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("nginx.host.root", "/srv")), "nginx.host.root", "unknown field");
      assertOnlyError(errors(MINIMAL_ROLLOUT, Map.of("probe.method", "POST")), "probe.method", "unknown field");
    }

    @Test
    void aRolloutHasNoDeployFields() {
      assertOnlyError(errors(MINIMAL_ROLLOUT + "hosts: []\n"), "hosts", "unknown field");
      assertOnlyError(errors(MINIMAL_ROLLOUT + "release: v2\n"), "release", "unknown field");
    }
  }

  @Nested
  class MetricsSource {

    @Test
    void theProbeIsTheSourceUnlessPrometheusIsNamed() {
      assertThat(((RolloutSpec) parse(MINIMAL_ROLLOUT)).prometheus()).isEqualTo(PrometheusSource.NONE);
      assertThat(((RolloutSpec) parse(MINIMAL_ROLLOUT + "metrics: { source: probe }\n")).prometheus().configured()).isFalse();
    }

    @Test
    void anUnknownSourceIsRefused() {
      assertOnlyError(errors(MINIMAL_ROLLOUT + "metrics: { source: datadog }\n"), "metrics.source", "must be probe");
    }

    @Test
    void aLatencyQueryWithoutAHistogramQuantileIsRefused() {
      String mean = ROLLOUT.replace(
          "'histogram_quantile(0.95, sum by (le) (rate(http_seconds_bucket{upstream=\"{upstream}\"}[{window}])))'",
          "'sum(rate(http_seconds_sum{upstream=\"{upstream}\"}[{window}])) / sum(rate(http_seconds_count{upstream=\"{upstream}\"}[{window}]))'");
      assertOnlyError(errors(mean), "metrics.latency", "histogram_quantile(0.95");
    }

    @Test
    void aQueryMustNameTheVersionAndTheWindow() {
      String unnamed = ROLLOUT.replace("'sum(increase(http_seconds_count{upstream=\"{upstream}\",code=~\"5..\"}[{window}]))'",
          "'sum(increase(http_seconds_count{code=~\"5..\"}[{window}]))'");
      assertOnlyError(errors(unnamed), "metrics.errors", "must use {upstream}");
    }

    @Test
    void prometheusFieldsAreUnknownWhileTheProbeIsTheSource() {
      assertOnlyError(errors(MINIMAL_ROLLOUT + "metrics: { url: http://p:9090 }\n"), "metrics.url", "unknown field");
    }
  }

  @Nested
  class SegmentsSection {

    @Test
    void noSegmentsByDefaultAndACookieNamesItsVariable() {
      assertThat(((RolloutSpec) parse(MINIMAL_ROLLOUT)).nginx().segments()).isEqualTo(Segments.NONE);
      RolloutSpec byCookie = (RolloutSpec) parse(MINIMAL_ROLLOUT + "segments: { cookie: tier, values: [{ value: beta, weight: 100 }] }\n");
      assertThat(byCookie.nginx().segments()).isEqualTo(new Segments("cookie_tier", List.of(new Segments.Segment("beta", 100))));
    }

    @Test
    void aSegmentNeedsItsWeightAndOneSourceOnly() {
      assertOnlyError(errors(MINIMAL_ROLLOUT + "segments: { header: X-Tier, values: [{ value: beta }] }\n"), "segments.values[0].weight",
          "required");
      assertOnlyError(errors(MINIMAL_ROLLOUT + "segments: { header: X-Tier, cookie: tier, values: [{ value: beta, weight: 1 }] }\n"),
          "segments.cookie", "not both");
      assertOnlyError(errors(MINIMAL_ROLLOUT + "segments: { values: [{ value: beta, weight: 1 }] }\n"), "segments.header", "required");
      assertOnlyError(errors(MINIMAL_ROLLOUT + "segments: { header: X-Tier, values: [{ value: beta, weight: 1 }, { value: beta, weight: 2 }] }\n"),
          "segments.values[1].value", "listed twice");
      assertOnlyError(errors(MINIMAL_ROLLOUT + "segments: { header: X-Tier, values: [{ value: \"a b\", weight: 1 }] }\n"),
          "segments.values[0].value", "must be letters");
    }
  }
}
