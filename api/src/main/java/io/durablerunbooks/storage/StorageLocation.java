package io.durablerunbooks.storage;

import io.durablerunbooks.secrets.SecretRef;

/**
 * An S3-compatible bucket and the prefix under which a runbook keeps its objects.
 *
 * @param endpoint endpoint override (S3Proxy, MinIO, ...); empty for AWS's regional endpoint
 * @param prefix key prefix without leading or trailing slash; may be empty
 * @param storageClass S3 storage class for stored backups, e.g. STANDARD or STANDARD_IA
 */
public record StorageLocation(
    String endpoint,
    String region,
    String bucket,
    String prefix,
    SecretRef accessKeyId,
    SecretRef secretAccessKey,
    String storageClass,
    boolean pathStyle) {

  /** Prefix joined to a relative key with exactly one slash between them. */
  public String key(String relative) {
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
  }

  public String uri(String key) {
    return "s3://" + bucket + "/" + key;
  }
}
