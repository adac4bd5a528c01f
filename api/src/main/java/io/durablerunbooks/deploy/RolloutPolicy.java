package io.durablerunbooks.deploy;

/**
 * @param batchSize hosts deployed at the same time
 * @param maxFailures hosts that may fail (each rolled back at once) before the rollout stops;
 *     0 stops at the first failure
 * @param rollbackCompletedOnFailure when the rollout stops, also move the hosts already done back
 *     to their previous release
 * @param approveEachBatch wait for a GO before every batch after the first
 * @param batchByGroup batches never mix the hosts of two groups (see {@link DeploySpec#batches()})
 */
public record RolloutPolicy(
    int batchSize, int maxFailures, boolean rollbackCompletedOnFailure, boolean approveEachBatch, boolean batchByGroup) {

  public RolloutPolicy {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be 1 or more, got " + batchSize);
    }
    if (maxFailures < 0) {
      throw new IllegalArgumentException("maxFailures must be 0 or more, got " + maxFailures);
    }
  }
}
