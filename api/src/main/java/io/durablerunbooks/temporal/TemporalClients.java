package io.durablerunbooks.temporal;

import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import javax.net.ssl.SSLException;

/** Builds the gRPC stubs and clients from {@link TemporalSettings}; used by the worker and the CLI. */
public final class TemporalClients {

  private TemporalClients() {}

  public static WorkflowServiceStubs serviceStubs(TemporalSettings settings) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.address());
    if (settings.tls()) {
      options.setSslContext(sslContext(settings));
    }
    if (!settings.apiKey().isEmpty()) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("Authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + settings.apiKey());
      options.addGrpcMetadataProvider(() -> headers);
    }
    return WorkflowServiceStubs.newServiceStubs(options.build());
  }

  public static WorkflowClient workflowClient(WorkflowServiceStubs stubs, TemporalSettings settings) {
    return WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
  }

  public static ScheduleClient scheduleClient(WorkflowServiceStubs stubs, TemporalSettings settings) {
    return ScheduleClient.newInstance(
        stubs, ScheduleClientOptions.newBuilder().setNamespace(settings.namespace()).build());
  }

  private static SslContext sslContext(TemporalSettings settings) {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (!settings.tlsCaPath().isEmpty()) {
        builder.trustManager(new File(settings.tlsCaPath()));
      }
      if (!settings.tlsCertPath().isEmpty()) {
        builder.keyManager(new File(settings.tlsCertPath()), new File(settings.tlsKeyPath()));
      }
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("TLS settings for Temporal: " + e.getMessage(), e);
    }
  }
}
