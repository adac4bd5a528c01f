package io.durablerunbooks.ssh;

import io.durablerunbooks.secrets.SecretRef;
import java.util.Objects;

/**
 * How the worker logs in and which host keys it trusts. Keys only: there is no password login and
 * no way to accept an unknown host key.
 *
 * @param privateKey reference to the private key's text (OpenSSH or PEM format)
 * @param passphrase reference to the key's passphrase, or empty for a key without one
 * @param knownHosts path, on the worker, of the known_hosts file every host key is checked against
 */
public record SshAccess(SecretRef privateKey, String passphrase, String knownHosts) {

  public SshAccess {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(passphrase, "passphrase");
    Objects.requireNonNull(knownHosts, "knownHosts");
    if (!passphrase.isEmpty() && !SecretRef.isReference(passphrase)) {
      throw new IllegalArgumentException("passphrase must be a secret reference like ${env:NAME}, or empty");
    }
  }

  public boolean hasPassphrase() {
    return !passphrase.isEmpty();
  }
}
