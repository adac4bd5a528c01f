package io.durablerunbooks.worker;

import io.durablerunbooks.temporal.TemporalSettings;
import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** The worker is only healthy while it can reach the Temporal server it polls. */
@Component("temporal")
class TemporalHealthIndicator implements HealthIndicator {

  private final WorkflowServiceStubs stubs;
  private final TemporalSettings settings;

  TemporalHealthIndicator(WorkflowServiceStubs stubs, TemporalSettings settings) {
    this.stubs = stubs;
    this.settings = settings;
  }

  @Override
  public Health health() {
    try {
      HealthCheckResponse response = stubs.healthCheck();
      Health.Builder health =
          response.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? Health.up() : Health.down();
      return health.withDetail("address", settings.address()).withDetail("namespace", settings.namespace()).build();
    } catch (RuntimeException e) {
      return Health.down().withDetail("address", settings.address()).withDetail("error", e.getMessage()).build();
    }
  }
}
