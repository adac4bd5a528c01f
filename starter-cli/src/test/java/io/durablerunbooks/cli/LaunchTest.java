package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.definition.RunbookFiles;
import io.durablerunbooks.deploy.DeployRequest;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.rollout.RolloutRequest;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.client.WorkflowOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchTest {

  @Test
  void aDeployStartsTheDeployWorkflowWithItsSpecAndTheRunsContext() {
    DeploySpec spec = (DeploySpec) RunbookFiles.parse(RunbookCommandTest.DEPLOY, "deploy.yaml", Map.of());
    RunContext context = new RunContext("carol", true);

    Object request = Launch.request(spec, context);
    WorkflowOptions options = Launch.options(spec, "carol", Runbooks.TASK_QUEUE).build();

    assertThat(request).isEqualTo(new DeployRequest(context, spec));
    assertThat(Launch.workflowType(spec)).isEqualTo("DeployWorkflow");
    assertThat(options.getWorkflowId()).isEqualTo("deploy/shop-web");
    assertThat(options.getTypedSearchAttributes().get(Launch.KIND)).isEqualTo("deploy");
  }

  @Test
  void aRolloutStartsTheRolloutWorkflowWithItsSpecAndTheRunsContext() {
    RolloutSpec spec = (RolloutSpec) RunbookFiles.parse(RunbookCommandTest.ROLLOUT, "rollout.yaml", Map.of());
    RunContext context = new RunContext("carol", false);

    Object request = Launch.request(spec, context);
    WorkflowOptions options = Launch.options(spec, "carol", Runbooks.TASK_QUEUE).build();

    assertThat(request).isEqualTo(new RolloutRequest(context, spec));
    assertThat(Launch.workflowType(spec)).isEqualTo("RolloutWorkflow");
    assertThat(options.getWorkflowId()).isEqualTo("rollout/shop-v2");
    assertThat(options.getTypedSearchAttributes().get(Launch.KIND)).isEqualTo("rollout");
  }
}
