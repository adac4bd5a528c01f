package io.durablerunbooks.storage;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Sha256;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * One S3 client per endpoint, region, addressing style and credential references. Credentials are
 * resolved each time a client is asked for, so a rotated secret takes effect on the next step.
 */
public final class S3Clients implements AutoCloseable {

  /** Enough for the parts of a few concurrent uploads plus reads. */
  private static final int MAX_CONNECTIONS = 32;

  private record Key(String endpoint, String region, boolean pathStyle, SecretRef accessKeyId, SecretRef secretAccessKey) {}

  private record Client(S3Client s3, byte[] credentialsDigest) {}

  private final SecretResolver secrets;
  private final Map<Key, Client> clients = new HashMap<>();
  /** Clients replaced after a secret changed; a step may still be using one, so they close last. */
  private final List<S3Client> retired = new ArrayList<>();
  private boolean closed;

  public S3Clients(SecretResolver secrets) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  /**
   * @throws ApplicationFailure non-retryable {@code SecretNotFound} or {@code InvalidInput} (endpoint)
   */
  public synchronized S3Client client(StorageLocation storage) {
    if (closed) {
      throw new IllegalStateException("S3Clients is closed: the worker is shutting down");
    }
    String accessKeyId = secrets.resolve(storage.accessKeyId(), "storage.accessKeyId");
    String secretAccessKey = secrets.resolve(storage.secretAccessKey(), "storage.secretAccessKey");
    byte[] digest =
        Sha256.newDigest().digest((accessKeyId + "\n" + secretAccessKey).getBytes(StandardCharsets.UTF_8));
    Key key =
        new Key(storage.endpoint(), storage.region(), storage.pathStyle(), storage.accessKeyId(), storage.secretAccessKey());
    Client client = clients.get(key);
    if (client != null && MessageDigest.isEqual(client.credentialsDigest(), digest)) {
      return client.s3();
    }
    if (client != null) {
      retired.add(clients.remove(key).s3());
    }
    S3Client s3 = build(storage, accessKeyId, secretAccessKey);
    clients.put(key, new Client(s3, digest));
    return s3;
  }

  @Override
  public synchronized void close() {
    closed = true;
    clients.values().forEach(client -> client.s3().close());
    clients.clear();
    retired.forEach(S3Client::close);
    retired.clear();
  }

  private static S3Client build(StorageLocation storage, String accessKeyId, String secretAccessKey) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(storage.region().isEmpty() ? "us-east-1" : storage.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
            .forcePathStyle(storage.pathStyle())
            // Backups carry their own SHA-256; the SDK's per-request CRCs would hash every byte
            // again, and some S3-compatible servers reject the trailing-checksum encoding.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .maxConnections(MAX_CONNECTIONS)
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(60))
                    .connectionAcquisitionTimeout(Duration.ofSeconds(60))
                    .tcpKeepAlive(true));
    if (!storage.endpoint().isEmpty()) {
      builder.endpointOverride(endpoint(storage.endpoint()));
    }
    return builder.build();
  }

  private static URI endpoint(String endpoint) {
    try {
      URI uri = new URI(endpoint);
      if (uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // Reported below with the fix, like any other unusable value.
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "storage.endpoint: '" + endpoint + "' is not a URL like https://s3.example.com:9000; fix it or leave it empty"
            + " for AWS",
        FailureTypes.INVALID_INPUT);
  }
}
