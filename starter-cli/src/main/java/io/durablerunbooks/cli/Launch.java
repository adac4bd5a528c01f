package io.durablerunbooks.cli;

import io.durablerunbooks.backup.BackupRequest;
import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.cutover.CutoverRequest;
import io.durablerunbooks.cutover.CutoverSpec;
import io.durablerunbooks.cutover.RollbackCutoverRequest;
import io.durablerunbooks.cutover.RollbackCutoverSpec;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.deploy.DeployRequest;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.rollback.RollbackRequest;
import io.durablerunbooks.rollback.RollbackSpec;
import io.durablerunbooks.migrate.MigrateRequest;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.rollout.RolloutRequest;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.restore.RestoreRequest;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restoretest.RestoreTestRequest;
import io.durablerunbooks.restoretest.RestoreTestSpec;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;

/** How a runbook becomes a workflow start, the same for {@code runbook start} and a Schedule's action. */
final class Launch {

  static final SearchAttributeKey<String> KIND = SearchAttributeKey.forKeyword(Runbooks.SA_KIND);
  static final SearchAttributeKey<String> NAME = SearchAttributeKey.forKeyword(Runbooks.SA_NAME);
  static final SearchAttributeKey<String> ENVIRONMENT =
      SearchAttributeKey.forKeyword(Runbooks.SA_ENVIRONMENT);
  static final SearchAttributeKey<String> OUTCOME = SearchAttributeKey.forKeyword(Runbooks.SA_OUTCOME);
  static final SearchAttributeKey<String> INITIATOR =
      SearchAttributeKey.forKeyword(Runbooks.SA_INITIATOR);

  private Launch() {}

  /** The workflow's single argument. */
  static Object request(RunbookDefinition definition, RunContext context) {
    if (definition instanceof BackupSpec backup) {
      return new BackupRequest(context, backup);
    }
    if (definition instanceof RestoreSpec restore) {
      return new RestoreRequest(context, restore);
    }
    if (definition instanceof RestoreTestSpec restoreTest) {
      return new RestoreTestRequest(context, restoreTest);
    }
    if (definition instanceof DeploySpec deploy) {
      return new DeployRequest(context, deploy);
    }
    if (definition instanceof RollbackSpec rollback) {
      return new RollbackRequest(context, rollback);
    }
    if (definition instanceof RolloutSpec rollout) {
      return new RolloutRequest(context, rollout);
    }
    if (definition instanceof MigrateSpec migrate) {
      return new MigrateRequest(context, migrate);
    }
    if (definition instanceof CutoverSpec cutover) {
      return new CutoverRequest(context, cutover);
    }
    if (definition instanceof RollbackCutoverSpec rollback) {
      return new RollbackCutoverRequest(context, rollback);
    }
    throw new IllegalArgumentException(
        "kind " + definition.header().kind().id() + " has no workflow the CLI can start");
  }

  static String workflowType(RunbookDefinition definition) {
    return definition.header().kind().workflowType();
  }

  /** Workflow id {@code <kind>/<name>}, task queue and search attributes; callers add their policies. */
  static WorkflowOptions.Builder options(RunbookDefinition definition, String initiator, String taskQueue) {
    RunbookHeader header = definition.header();
    return WorkflowOptions.newBuilder()
        .setWorkflowId(header.workflowId())
        .setTaskQueue(taskQueue)
        .setTypedSearchAttributes(searchAttributes(header, initiator));
  }

  static SearchAttributes searchAttributes(RunbookHeader header, String initiator) {
    return SearchAttributes.newBuilder()
        .set(KIND, header.kind().id())
        .set(NAME, header.name())
        .set(ENVIRONMENT, header.environment())
        .set(INITIATOR, initiator)
        .build();
  }
}
