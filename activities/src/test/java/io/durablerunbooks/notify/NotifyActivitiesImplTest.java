package io.durablerunbooks.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.durablerunbooks.secrets.SecretResolver;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifyActivitiesImplTest {

  private HttpServer server;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private String url;

  @BeforeEach
  void startWebhook() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes()));
          contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.createContext(
        "/broken",
        exchange -> {
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopWebhook() {
    server.stop(0);
  }

  private NotifyActivitiesImpl notifier(Map<String, String> env) {
    return new NotifyActivitiesImpl(new SecretResolver(env), NotifyActivitiesImpl.defaultHttpClient());
  }

  @Test
  void postsSlackCompatibleJsonToTheResolvedWebhook() throws Exception {
    notifier(Map.of("HOOK", url + "/hook"))
        .notify(new Notification("${env:HOOK}", "succeeded", "orders-db-nightly", "production", "backup verified"));

    assertThat(contentTypes).containsExactly("application/json");
    assertThat(new ObjectMapper().readValue(bodies.get(0), Map.class))
        .isEqualTo(Map.of("text", "[production] orders-db-nightly succeeded: backup verified"));
  }

  @Test
  void aLiteralUrlIsUsedAsWritten() {
    notifier(Map.of()).notify(new Notification(url + "/hook", "failed", "r", "staging", ""));

    assertThat(bodies).containsExactly("{\"text\":\"[staging] r failed\"}");
  }

  @Test
  void noWebhookSendsNothing() {
    notifier(Map.of()).notify(new Notification("", "failed", "r", "staging", "x"));

    assertThat(bodies).isEmpty();
  }

  @Test
  void aFailingOrUnresolvableWebhookDoesNotFailTheStep() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    NotifyActivitiesImpl notifier = notifier(Map.of());

    assertThatCode(() -> notifier.notify(new Notification(url + "/broken", "failed", "r", "e", "x")))
        .doesNotThrowAnyException();
    assertThatCode(() -> notifier.notify(new Notification("http://127.0.0.1:" + closedPort + "/", "failed", "r", "e", "x")))
        .doesNotThrowAnyException();
    assertThatCode(() -> notifier.notify(new Notification("${env:UNSET_HOOK}", "failed", "r", "e", "x")))
        .doesNotThrowAnyException();
    assertThatCode(() -> notifier.notify(new Notification("not a url", "failed", "r", "e", "x")))
        .doesNotThrowAnyException();
    assertThat(bodies).isEmpty();
  }
}
