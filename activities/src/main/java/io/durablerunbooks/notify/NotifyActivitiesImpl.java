package io.durablerunbooks.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts Slack-compatible messages ({@code {"text": ...}}). A notification never fails a runbook: a
 * webhook that cannot be resolved, reached or that refuses is logged and the step succeeds. The URL
 * is itself a secret (whoever has it may post), so it is never logged.
 */
public final class NotifyActivitiesImpl implements NotifyActivities {

  private static final Logger log = LoggerFactory.getLogger(NotifyActivitiesImpl.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SecretResolver secrets;
  private final HttpClient http;

  public NotifyActivitiesImpl(SecretResolver secrets, HttpClient http) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.http = Objects.requireNonNull(http, "http");
  }

  public static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public void notify(Notification notification) {
    if (notification.webhook().isEmpty()) {
      return;
    }
    String what = notification.event() + " of " + notification.runbook();
    URI url;
    try {
      url = URI.create(secrets.expand(notification.webhook(), "notify.webhook"));
    } catch (ApplicationFailure e) {
      log.warn("notification {} not sent: {}", what, e.getOriginalMessage());
      return;
    } catch (IllegalArgumentException e) {
      log.warn("notification {} not sent: notify.webhook is not a URL", what);
      return;
    }
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(url)
              .timeout(TIMEOUT)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("text", text(notification)))))
              .build();
    } catch (IllegalArgumentException e) {
      log.warn("notification {} not sent: notify.webhook is not an http(s) URL", what);
      return;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serializes", e);
    }
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 != 2) {
        log.warn("notification {} refused by the webhook: HTTP {}", what, status);
      }
    } catch (IOException e) {
      // The exception's message may quote the URL, which is a secret: only its kind is logged.
      log.warn("notification {} not sent: {}", what, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("notification {} not sent: interrupted", what);
    }
  }

  static String text(Notification notification) {
    return "[" + notification.environment() + "] " + notification.runbook() + " " + notification.event()
        + (notification.text().isEmpty() ? "" : ": " + notification.text());
  }
}
