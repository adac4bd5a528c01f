package io.durablerunbooks.ssh;

import java.util.Objects;

/**
 * One host of an inventory, as a runbook names it.
 *
 * @param name how reports and the UI name the host, e.g. {@code web1}
 * @param address host name or IP address to connect to
 * @param port SSH port, 1 to 65535
 * @param user the account to log in as
 */
public record SshHost(String name, String address, int port, String user) {

  public SshHost {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(user, "user");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
    }
  }

  /** {@code web1 (deploy@10.0.0.5:22)}: how messages name the host. */
  public String describe() {
    return name + " (" + user + "@" + address + ":" + port + ")";
  }

  /** The host as a known_hosts file writes it: {@code host} on port 22, else {@code [host]:port}. */
  public String knownHostsName() {
    return port == 22 ? address : "[" + address + "]:" + port;
  }
}
