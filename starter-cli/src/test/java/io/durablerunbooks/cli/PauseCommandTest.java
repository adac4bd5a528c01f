package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.definition.RunbookFiles;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.rollout.NginxTarget;
import io.durablerunbooks.rollout.Observation;
import io.durablerunbooks.rollout.ProbeSpec;
import io.durablerunbooks.rollout.PrometheusSource;
import io.durablerunbooks.rollout.RolloutActivities;
import io.durablerunbooks.rollout.RolloutRequest;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.rollout.RolloutWorkflow;
import io.durablerunbooks.rollout.RolloutWorkflowImpl;
import io.durablerunbooks.rollout.SplitChange;
import io.durablerunbooks.rollout.SplitSample;
import io.durablerunbooks.rollout.VersionStats;
import io.durablerunbooks.runbook.RunContext;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code runbook pause} and {@code runbook resume} against a real rollout workflow on an embedded
 * Temporal server, its nginx and probe stood in for by a healthy V2: what is printed and the exit
 * code, for an accepted Update and for one the workflow's validator refuses.
 */
class PauseCommandTest {

  private static final String QUEUE = "pause-command-test";
  private static final String ID = "rollout/shop-v2";

  private TestServicesStarter services;
  private Server server;
  private WorkflowServiceStubs stubs;
  private WorkerFactory workers;
  private Map<String, String> environment;

  /** nginx and the probe as a healthy V2 shows them; the split follows the weight written. */
  static final class HealthyV2 implements RolloutActivities {
    private final AtomicInteger weight = new AtomicInteger();

    @Override
    public int checkNginx(NginxTarget nginx) {
      return 0;
    }

    @Override
    public SplitChange setWeight(NginxTarget nginx, int weight, String writtenBy) {
      this.weight.set(weight);
      return new SplitChange(weight, Instant.now().toString());
    }

    @Override
    public SplitSample sampleSplit(ProbeSpec probe, String v1Upstream, String v2Upstream, int samples) {
      int v2 = samples * weight.get() / 100;
      return new SplitSample(samples - v2, v2, 0);
    }

    @Override
    public Observation observe(ProbeSpec probe, String v1Upstream, String v2Upstream) {
      String now = Instant.now().toString();
      return new Observation(now, now, new VersionStats(20, 0, 30), new VersionStats(20, 0, 30), 0, "");
    }

    @Override
    public Observation queryMetrics(PrometheusSource source, String v1Upstream, String v2Upstream, Duration window) {
      throw new UnsupportedOperationException("this rollout's source is the probe");
    }
  }

  @BeforeEach
  void serverAndWorker() throws IOException {
    services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    server = builder.build().start();
    String address = "127.0.0.1:" + server.getPort();
    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
    workers = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    Worker worker = workers.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
    worker.registerActivitiesImplementations(new HealthyV2());
    workers.start();
    environment = Map.of("TEMPORAL_ADDRESS", address, "RUNBOOKS_TASK_QUEUE", QUEUE);
  }

  @AfterEach
  void stop() throws InterruptedException {
    workers.shutdownNow();
    workers.awaitTermination(10, TimeUnit.SECONDS);
    stubs.shutdownNow();
    server.shutdownNow();
    services.close();
  }

  /** A rollout of the CLI tests' file, promoted without a GO, baking an hour at 10 %. */
  private RolloutWorkflow startRollout() throws InterruptedException {
    RolloutSpec spec =
        (RolloutSpec) RunbookFiles.parse(RunbookCommandTest.ROLLOUT.replace("promote: manual", "promote: auto"), "rollout.yaml", Map.of());
    WorkflowClient client = workers.getWorkflowClient();
    RolloutWorkflow rollout =
        client.newWorkflowStub(RolloutWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(ID).setTaskQueue(QUEUE).build());
    WorkflowClient.start(rollout::run, new RolloutRequest(new RunContext("carol", false), spec));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (rollout.progress().steps().stream().noneMatch(s -> s.name().equals("Observe 10% #1"))) {
      assertThat(System.nanoTime()).as("the bake at 10 %% started within 30 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    return rollout;
  }

  @Test
  void anAcceptedPauseOrResumeExitsZeroAndARefusedOneExitsTwoWithTheWorkflowsReason() throws InterruptedException {
    RolloutWorkflow rollout = startRollout();
    try {
      Cli.Result notPaused = Cli.run(environment, "resume", ID, "--as", "bob");
      Cli.Result paused = Cli.run(environment, "pause", ID, "--as", "alice", "--comment", "checking the dashboards");
      Cli.Result twice = Cli.run(environment, "pause", ID, "--as", "bob");
      Cli.Result resumed = Cli.run(environment, "resume", ID, "--as", "bob", "--comment", "dashboards fine");

      assertThat(notPaused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(notPaused.err()).isEqualTo("runbook: refused: the rollout is not paused (V2 at 10 %)\n");
      assertThat(paused.exitCode()).as(paused.err()).isEqualTo(ExitCodes.SUCCEEDED);
      assertThat(paused.out())
          .startsWith("paused at 10 % by alice at ")
          .contains(": \"checking the dashboards\"\n", "V2 stays at 10 %", "resume:  runbook resume " + ID + " --as USER");
      assertThat(twice.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(twice.err()).startsWith("runbook: refused: already paused by alice at 10 % since ");
      assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(ExitCodes.SUCCEEDED);
      assertThat(resumed.out()).startsWith("resumed at 10 % by bob at ").contains(": \"dashboards fine\"");
      List<StepRecord> steps = rollout.progress().steps();
      assertThat(steps).filteredOn(s -> s.name().equals("Paused by alice at 10%")).singleElement().satisfies(s -> {
        assertThat(s.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(s.detail()).contains("checking the dashboards", "resumed by bob", "dashboards fine");
      });
    } finally {
      workers.getWorkflowClient().newUntypedWorkflowStub(ID).terminate("test over");
    }
  }

  @Test
  void pausingARunThatIsNotRunningIsBadInput() {
    Cli.Result r = Cli.run(environment, "pause", "rollout/nothing-here", "--as", "alice");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("rollout/nothing-here");
  }
}
