package io.durablerunbooks.rollout;

import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.ssh.SshConnections;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/** The traffic shift's steps: the split file over SSH, the probe over HTTP. */
public final class RolloutActivitiesImpl implements RolloutActivities {

  private final SecretResolver secrets;
  private final HttpProbe probe;
  private final PrometheusQueries prometheus;

  public RolloutActivitiesImpl(SecretResolver secrets, HttpClient http) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.probe = new HttpProbe(Objects.requireNonNull(http, "http"));
    this.prometheus = new PrometheusQueries(http);
  }

  public static HttpClient defaultHttpClient() {
    return HttpProbe.defaultHttpClient();
  }

  @Override
  public int checkNginx(NginxTarget nginx) {
    return onNginx(nginx, SplitFile::check);
  }

  @Override
  public SplitChange setWeight(NginxTarget nginx, int weight, String writtenBy) {
    if (weight < 0 || weight > 100) {
      throw new IllegalArgumentException("weight must be 0 to 100, got " + weight);
    }
    return onNginx(nginx, file -> file.apply(weight, writtenBy));
  }

  @Override
  public SplitSample sampleSplit(ProbeSpec spec, String v1Upstream, String v2Upstream, int samples) {
    try (Heartbeat heartbeat = Heartbeat.start(() -> "sampling " + samples + " requests through " + spec.url(), () -> {})) {
      return probe.sample(spec, v1Upstream, v2Upstream, samples, () -> alive(heartbeat));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sampling " + spec.url(), e);
    }
  }

  @Override
  public Observation observe(ProbeSpec spec, String v1Upstream, String v2Upstream) {
    try (Heartbeat heartbeat = Heartbeat.start(() -> "observing " + spec.url(), () -> {})) {
      return probe.observe(spec, v1Upstream, v2Upstream, () -> alive(heartbeat));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while observing " + spec.url(), e);
    }
  }

  @Override
  public Observation queryMetrics(PrometheusSource source, String v1Upstream, String v2Upstream, Duration window) {
    try {
      return prometheus.observe(source, v1Upstream, v2Upstream, window);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while querying " + source.url(), e);
    }
  }

  /** Heartbeats, and stops the probe when the activity was cancelled. */
  private static boolean alive(Heartbeat heartbeat) {
    heartbeat.check();
    return true;
  }

  private <T> T onNginx(NginxTarget nginx, Function<SplitFile, T> action) {
    try (SshConnections connections = new SshConnections(secrets)) {
      return action.apply(new SplitFile(connections.to(nginx.host(), nginx.access()), nginx));
    }
  }
}
