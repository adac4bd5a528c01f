package io.durablerunbooks.cutover;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/** Calls to the application's HTTP API; an unanswered call is an answer too (status 0), not an exception. */
final class AppHttp {

  record Answer(int status, String body, long millis, String error) {

    @Override
    public String toString() {
      return error.isEmpty() ? "HTTP " + status + " in " + millis + " ms" : error;
    }

    /** With the start of the answer's body: what the application said when it refused. */
    String withBody() {
      String text = body.replaceAll("\\s+", " ").strip();
      return text.isEmpty() ? toString() : toString() + ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
  }

  private static final int IDEMPOTENT_RETRIES = 2;

  private final HttpClient http;

  AppHttp(HttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  String health(ApplicationSpec app) {
    return request("GET", app.url() + app.checks().health(), "", app.checks().timeout()).toString();
  }

  /**
   * One request; a GET or DELETE that got no answer is sent again, twice at most: a connection the
   * application closed as it was reused is no verdict on the application.
   */
  Answer request(String method, String url, String body, Duration timeout) {
    Answer answer = once(method, url, body, timeout);
    for (int retry = 0; retry < IDEMPOTENT_RETRIES && answer.status() == 0 && !method.equals("POST"); retry++) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while calling " + url, e);
      }
      answer = once(method, url, body, timeout);
    }
    return answer;
  }

  private Answer once(String method, String url, String body, Duration timeout) {
    long started = System.nanoTime();
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("User-Agent", "durable-runbooks-cutover");
      HttpRequest r = body.isEmpty()
          ? b.method(method, HttpRequest.BodyPublishers.noBody()).build()
          : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build();
      HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(), (System.nanoTime() - started) / 1_000_000, "");
    } catch (IOException e) {
      return new Answer(0, "", (System.nanoTime() - started) / 1_000_000, "no answer (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling " + url, e);
    }
  }
}
