package io.durablerunbooks.rollout;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split file on a real sshd host of the local stack. The test and reload commands stand in
 * for nginx's: the test refuses a file holding "v2-broken", the reload appends to a log.
 */
class SplitFileTest {

  @TempDir Path dir;
  private final SshConnections ssh = new SshConnections(new SecretResolver(Map.of()));

  @BeforeAll
  static void hostsUp() {
    LocalStack.requireUp();
    assertThat(Path.of(LocalStack.KNOWN_HOSTS)).as("the SSH hosts are not up: run scripts/stack.sh up").exists();
  }

  @AfterEach
  void close() {
    ssh.close();
  }

  private SplitFile file(String v2Upstream) {
    NginxTarget nginx =
        new NginxTarget(sshHost(1), sshAccess(), dir.resolve("split.conf").toString(), "shop_backend", "shop_v1", v2Upstream,
            "! grep -q v2-broken \"$SPLIT_FILE\"", "echo reloaded >> " + dir.resolve("reloads.log"), Segments.NONE);
    return new SplitFile(ssh.to(nginx.host(), nginx.access()), nginx);
  }

  private List<String> reloads() throws Exception {
    Path log = dir.resolve("reloads.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  @Test
  void aWeightIsWrittenAsASplitOnTheRequestIdTestedAndReloaded() throws Exception {
    assertThat(file("shop_v2").check()).as("no file yet").isEqualTo(-1);

    SplitChange change = file("shop_v2").apply(25, "rollout rollout/shop-v2");

    assertThat(change.weight()).isEqualTo(25);
    assertThat(Files.readString(dir.resolve("split.conf")))
        .isEqualTo("""
            # durable-runbooks rollout: v2 weight 25
            # Written by rollout rollout/shop-v2; the rollout rewrites it at each step.
            split_clients "${request_id}" $shop_backend {
                25% shop_v2;
                * shop_v1;
            }
            """);
    assertThat(reloads()).hasSize(1);
    assertThat(file("shop_v2").check()).isEqualTo(25);
  }

  @Test
  void allOrNothingNeedsNoPercentage() {
    assertThat(SplitFile.content(nginx(), 0, "x")).contains("    * shop_v1;\n").doesNotContain("%");
    assertThat(SplitFile.content(nginx(), 100, "x")).contains("    * shop_v2;\n").doesNotContain("shop_v1");
  }

  @Test
  void segmentsGetTheirOwnShareThroughAMapAheadOfTheStepsSplit() {
    NginxTarget segmented = new NginxTarget(sshHost(1), sshAccess(), "/etc/nginx/split.conf", "shop_backend", "shop_v1", "shop_v2",
        "true", "true", new Segments("http_x_customer_tier", List.of(new Segments.Segment("beta", 100),
            new Segments.Segment("partners", 50), new Segments.Segment("enterprise", 0))));

    assertThat(SplitFile.content(segmented, 25, "x")).endsWith("""
        split_clients "${request_id}" $shop_backend_weighted {
            25% shop_v2;
            * shop_v1;
        }
        split_clients "${request_id}" $shop_backend_segment2 {
            50% shop_v2;
            * shop_v1;
        }
        map $http_x_customer_tier $shop_backend {
            default $shop_backend_weighted;
            beta shop_v2;
            partners $shop_backend_segment2;
            enterprise shop_v1;
        }
        """);
    assertThat(SplitFile.content(segmented, 0, "x")).as("a rollback sends every segment to V1").contains("    * shop_v1;\n")
        .doesNotContain("map", "shop_v2");
    assertThat(SplitFile.content(segmented, 100, "x")).contains("    * shop_v2;\n").doesNotContain("map", "shop_v1");
  }

  private NginxTarget nginx() {
    return new NginxTarget(sshHost(1), sshAccess(), "/etc/nginx/split.conf", "shop_backend", "shop_v1", "shop_v2", "true", "true", Segments.NONE);
  }

  @Test
  void aFileTheTestRefusesIsReplacedByThePreviousOneAndNothingIsReloaded() throws Exception {
    file("shop_v2").apply(10, "rollout a");
    String before = Files.readString(dir.resolve("split.conf"));

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, () -> file("v2-broken").apply(50, "rollout a"));

    assertThat(failure.getType()).isEqualTo(SplitFile.TEST_FAILED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("refused the split for V2 at 50 %", "the previous file is back");
    assertThat(Files.readString(dir.resolve("split.conf"))).isEqualTo(before);
    assertThat(reloads()).as("only the first write reloaded").hasSize(1);
  }

  @Test
  void aLiveConfigurationThatFailsItsTestIsReportedBeforeAnyChange() throws Exception {
    Files.writeString(dir.resolve("split.conf"), "v2-broken\n");

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, () -> file("shop_v2").check());

    assertThat(failure.getType()).isEqualTo(SplitFile.TEST_FAILED);
    assertThat(failure.getOriginalMessage()).contains("the live nginx configuration fails its test");
  }
}
