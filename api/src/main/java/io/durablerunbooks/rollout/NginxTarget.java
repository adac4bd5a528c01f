package io.durablerunbooks.rollout;

import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.util.Objects;

/**
 * The nginx that splits the traffic, reached over SSH. The runbook owns one file, {@code
 * splitFile}, an nginx {@code split_clients} block that sets {@code $<variable>} to the name of
 * the V1 or the V2 upstream per request; the operator's own configuration proxies to {@code
 * http://$<variable>} and keeps both upstreams at full capacity.
 *
 * @param splitFile absolute path on the nginx host, included in nginx's {@code http} block
 * @param variable the variable the split sets, without {@code $}
 * @param v1Upstream name of the upstream block of the current version
 * @param v2Upstream name of the upstream block of the new version
 * @param testCommand checks the configuration, e.g. {@code nginx -t}; non-zero exit when broken
 * @param reloadCommand reloads gracefully, e.g. {@code nginx -s reload}
 * @param segments requests routed by a header or cookie ahead of the split, or {@link Segments#NONE}
 */
public record NginxTarget(
    SshHost host,
    SshAccess access,
    String splitFile,
    String variable,
    String v1Upstream,
    String v2Upstream,
    String testCommand,
    String reloadCommand,
    Segments segments) {

  public NginxTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(splitFile, "splitFile");
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(v1Upstream, "v1Upstream");
    Objects.requireNonNull(v2Upstream, "v2Upstream");
    Objects.requireNonNull(testCommand, "testCommand");
    Objects.requireNonNull(reloadCommand, "reloadCommand");
    Objects.requireNonNull(segments, "segments");
    if (!splitFile.startsWith("/")) {
      throw new IllegalArgumentException("splitFile must be an absolute path, got '" + splitFile + "'");
    }
  }
}
