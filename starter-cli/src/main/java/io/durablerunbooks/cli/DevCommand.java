package io.durablerunbooks.cli;

import io.durablerunbooks.activities.ActivityImplementations;
import io.durablerunbooks.runbook.Runbooks;
import io.durablerunbooks.worker.RunbookWorker;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "dev",
    description = {
      "Run an embedded Temporal server and a worker, to try runbooks with nothing installed.",
      "Temporal's Java test server listens on 127.0.0.1 and a worker runs in this same process, until"
          + " Ctrl-C. It has no UI, no Schedules and no list queries, and forgets everything when it"
          + " stops; scripts/stack.sh up gives the real thing."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook dev --port 7233",
      "  # then, in another terminal:",
      "  runbook start runbooks/local-backup.yaml --watch"
    })
final class DevCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "7233",
      description = "Port of the server, on 127.0.0.1 (default ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw new CliException(ExitCodes.BAD_INPUT, "--port: expected 1 to 65535, got " + port);
    }
    String namespace = root.settings().namespace();
    String address = "127.0.0.1:" + port;
    Started started = new Started(root.err());
    try {
      ActivityImplementations activities = ActivityImplementations.create();
      started.add(activities::close);
      TestServicesStarter services = new TestServicesStarter(true, 0);
      started.add(services::close);
      // TestServer.createPortBoundServer binds every interface; an unauthenticated Temporal whose
      // worker resolves secrets must only be reachable from this machine.
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      Server server = listen(builder, address);
      started.add(
          () -> {
            server.shutdown();
            server.awaitTermination(5, TimeUnit.SECONDS);
          });
      registerSearchAttributes(address, namespace);
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
      started.add(stubs::shutdown);
      WorkerFactory factory =
          WorkerFactory.newInstance(
              WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build()));
      RunbookWorker.register(
          factory, activities, root.settings().taskQueue(), RunbookWorker.DEFAULT_MAX_CONCURRENT_ACTIVITIES);
      factory.start();
      started.add(
          () -> {
            factory.shutdown();
            factory.awaitTermination(10, TimeUnit.SECONDS);
          });
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    PrintWriter out = root.out();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("stopping the worker and the server; every run they held is gone");
                  out.flush();
                  started.close();
                },
                "runbook-dev-shutdown"));
    out.println(
        "Temporal test server on "
            + address
            + " (namespace "
            + namespace
            + ") and a worker on task queue "
            + root.settings().taskQueue()
            + " are running in this process.");
    out.println();
    out.println("From another terminal:");
    out.println("  export TEMPORAL_ADDRESS=" + address);
    out.println("  runbook start runbooks/local-backup.yaml --watch");
    out.println();
    out.println("This embedded server has no UI, no Schedules and no list queries (runbook list, runbook schedule),");
    out.println("and forgets every run when it stops. For those: scripts/stack.sh up.");
    out.println("Ctrl-C stops it.");
    out.flush();
    Thread.currentThread().join();
    return ExitCodes.SUCCEEDED;
  }

  private static Server listen(NettyServerBuilder builder, String address) {
    try {
      return builder.build().start();
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.FAILED,
          "cannot listen on "
              + address
              + " ("
              + e.getMessage()
              + "): is a Temporal server already running there? Use it, or pick another port with --port");
    }
  }

  /** What dev mode started, stopped in reverse order: by Ctrl-C, or when starting fails half-way. */
  private static final class Started {
    private final Deque<AutoCloseable> stops = new ArrayDeque<>();
    private final PrintWriter err;

    Started(PrintWriter err) {
      this.err = err;
    }

    synchronized void add(AutoCloseable stop) {
      stops.push(stop);
    }

    synchronized void close() {
      while (!stops.isEmpty()) {
        try {
          stops.pop().close();
        } catch (Exception e) {
          err.println("while stopping: " + e.getMessage());
          err.flush();
        }
      }
    }
  }

  private static void registerSearchAttributes(String address, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
    try {
      AddSearchAttributesRequest.Builder request = AddSearchAttributesRequest.newBuilder().setNamespace(namespace);
      for (String name : Runbooks.SEARCH_ATTRIBUTES) {
        request.putSearchAttributes(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      operator.blockingStub().addSearchAttributes(request.build());
    } finally {
      operator.shutdown();
    }
  }
}
