package io.durablerunbooks.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.durablerunbooks.activities.ActivityImplementations;
import io.durablerunbooks.temporal.TemporalClients;
import io.durablerunbooks.temporal.TemporalSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Temporal connection, clients and the worker factory. Settings come from the same environment
 * variables as the temporal CLI (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*,
 * TEMPORAL_API_KEY); the SDK's own metrics go to the Prometheus registry.
 */
@Configuration(proxyBeanMethods = false)
class TemporalConfiguration {

  @Bean
  TemporalSettings temporalSettings() {
    return TemporalSettings.fromEnvironment();
  }

  @Bean(destroyMethod = "close")
  Scope temporalMetricsScope(MeterRegistry registry) {
    return new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
  }

  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(TemporalSettings settings, Scope metrics) {
    WorkflowServiceStubs stubs = TemporalClients.serviceStubs(settings);
    WorkflowServiceStubsOptions withMetrics =
        WorkflowServiceStubsOptions.newBuilder(stubs.getOptions()).setMetricsScope(metrics).build();
    stubs.shutdown();
    return WorkflowServiceStubs.newServiceStubs(withMetrics);
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, TemporalSettings settings) {
    return TemporalClients.workflowClient(stubs, settings);
  }

  @Bean(destroyMethod = "close")
  ActivityImplementations activityImplementations() {
    return ActivityImplementations.create();
  }

  @Bean
  WorkerFactory workerFactory(
      WorkflowClient client,
      TemporalSettings settings,
      ActivityImplementations activities,
      @Value("${RUNBOOKS_MAX_CONCURRENT_ACTIVITIES:" + RunbookWorker.DEFAULT_MAX_CONCURRENT_ACTIVITIES + "}") int maxActivities) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    RunbookWorker.register(factory, activities, settings.taskQueue(), maxActivities);
    return factory;
  }

  @Bean
  WorkerLifecycle workerLifecycle(WorkerFactory factory, TemporalSettings settings) {
    return new WorkerLifecycle(factory, settings, Duration.ofSeconds(30));
  }
}
