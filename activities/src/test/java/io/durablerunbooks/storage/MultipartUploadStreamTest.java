package io.durablerunbooks.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.failure.ApplicationFailure;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.durablerunbooks.secrets.SecretRef;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

class MultipartUploadStreamTest {

  private static final int PART = 5 << 20;

  private S3Clients clients;
  private StoredObjects objects;
  private S3Client s3;
  private String prefix;

  @BeforeEach
  void start() {
    LocalStack.requireUp();
    clients = new S3Clients(new SecretResolver(Map.of()));
    objects = new StoredObjects(clients);
    s3 = LocalStack.s3();
    prefix = LocalStack.unique("test/upload");
  }

  @AfterEach
  void stop() {
    LocalStack.deletePrefix(s3, prefix);
    s3.close();
    clients.close();
  }

  @Test
  void storesTheBytesWrittenWithTheirSha256() throws Exception {
    byte[] data = new byte[2 * PART + 12345];
    new Random(1).nextBytes(data);
    String key = prefix + "/object";

    MultipartUploadStream upload = objects.upload(LocalStack.storage(prefix), key, Map.of("origin", "test"), PART, 2);
    for (int offset = 0; offset < data.length; offset += 100_000) {
      upload.write(data, offset, Math.min(100_000, data.length - offset));
    }
    MultipartUploadStream.Result result = upload.complete();

    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(result).isEqualTo(new MultipartUploadStream.Result(key, data.length, sha256, 3));
    assertThat(s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key)).asByteArray()).isEqualTo(data);
    assertThat(s3.headObject(b -> b.bucket(LocalStack.BUCKET).key(key)).metadata()).containsEntry("origin", "test");
  }

  /**
   * S3Proxy accepts parts even for an aborted upload, so the refusal comes from a stand-in server
   * that starts uploads and then refuses every part, as a real S3 does when a policy changes.
   */
  @Test
  void aPartThatFailsMidStreamSurfacesClassifiedAndAbortIsSent() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String query = String.valueOf(exchange.getRequestURI().getQuery());
          requests.add(exchange.getRequestMethod() + " " + query.replaceAll("=[^&]*", ""));
          exchange.getRequestBody().readAllBytes();
          if (query.startsWith("uploads")) {
            respond(exchange, 200, "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                + "<UploadId>upload-1</UploadId></InitiateMultipartUploadResult>");
          } else if (exchange.getRequestMethod().equals("PUT")) {
            respond(exchange, 403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
          } else {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
          }
        });
    server.start();
    try (S3Clients fakeClients = new S3Clients(new SecretResolver(Map.of("KEY", "k", "SECRET", "s")))) {
      StorageLocation fake =
          new StorageLocation(
              "http://127.0.0.1:" + server.getAddress().getPort(), "us-east-1", "b", "", SecretRef.of("${env:KEY}"),
              SecretRef.of("${env:SECRET}"), "", true);
      MultipartUploadStream upload = new StoredObjects(fakeClients).upload(fake, "k", Map.of(), PART, 2);
      byte[] chunk = new byte[64 << 10];

      Throwable thrown =
          catchThrowable(
              () -> {
                // Closed by try-with-resources after the failure, as the backup's compressor is,
                // and holding unwritten bytes that its close writes again.
                try (OutputStream out = new BufferedOutputStream(upload, 1 << 20)) {
                  for (int i = 0; i < 16_000; i++) {
                    out.write(chunk);
                  }
                }
              });
      upload.abort();

      assertThat(thrown).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure failure = (ApplicationFailure) thrown;
      assertThat(failure.getType()).isEqualTo(FailureTypes.STORAGE_ACCESS_DENIED);
      assertThat(failure.getOriginalMessage()).contains("upload of part");
      assertThat(requests).first().isEqualTo("POST uploads");
      assertThat(requests).last().isEqualTo("DELETE uploadId");
    } finally {
      server.stop(0);
    }
  }

  private static void respond(HttpExchange exchange, int status, String xml) throws IOException {
    byte[] body = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/xml");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
