package io.durablerunbooks.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.storage.StorageLocation;
import io.durablerunbooks.storage.StoredObjects;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests ({@code <key>.manifest.json}) in the bucket: pretty JSON with ISO-8601 timestamps, so a
 * human with only an S3 browser can read what a backup is.
 */
public final class Manifests {

  private static final Logger log = LoggerFactory.getLogger(Manifests.class);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          // A newer worker may add fields; older ones still read what they know.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final StoredObjects objects;

  public Manifests(StoredObjects objects) {
    this.objects = Objects.requireNonNull(objects, "objects");
  }

  public void write(StorageLocation storage, BackupManifest manifest) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a BackupManifest always serializes", e);
    }
    objects.write(storage, BackupManifest.manifestKey(manifest.key()), json, "application/json");
  }

  /**
   * The manifest of the backup stored at {@code objectKey}, or empty when it has none.
   *
   * @throws ApplicationFailure non-retryable {@code InvalidInput} when it is not a manifest, or the
   *     manifest of another object
   */
  public Optional<BackupManifest> read(StorageLocation storage, String objectKey) {
    String manifestKey = BackupManifest.manifestKey(objectKey);
    return objects.read(storage, manifestKey).map(json -> parse(storage, manifestKey, objectKey, json));
  }

  /**
   * Every manifest under {@code prefix} that parses and describes the object beside it; others are
   * logged and left out, so a damaged file cannot make a backup look like something it is not.
   *
   * @param prefix a runbook's prefix, ending in a slash
   */
  public List<BackupManifest> list(StorageLocation storage, String prefix) {
    if (!prefix.endsWith("/")) {
      throw ApplicationFailure.newNonRetryableFailure(
          "backupsPrefix: '" + prefix + "' must end with '/', or it would take in the backups of runbooks whose"
              + " names start the same",
          FailureTypes.INVALID_INPUT);
    }
    List<BackupManifest> manifests = new ArrayList<>();
    for (String key : objects.list(storage, prefix)) {
      if (!key.endsWith(BackupManifest.SUFFIX)) {
        continue;
      }
      String objectKey = key.substring(0, key.length() - BackupManifest.SUFFIX.length());
      try {
        read(storage, objectKey).ifPresent(manifests::add);
      } catch (ApplicationFailure e) {
        if (!FailureTypes.INVALID_INPUT.equals(e.getType())) {
          throw e;
        }
        log.warn("ignoring {}: {}", storage.uri(key), e.getOriginalMessage());
      }
    }
    return manifests;
  }

  private static BackupManifest parse(StorageLocation storage, String manifestKey, String objectKey, byte[] json) {
    BackupManifest manifest;
    try {
      manifest = JSON.readValue(json, BackupManifest.class);
    } catch (IOException e) {
      String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw notAManifest(storage, manifestKey, reason);
    }
    for (RecordComponent field : BackupManifest.class.getRecordComponents()) {
      if (value(field, manifest) == null) {
        throw notAManifest(storage, manifestKey, "field " + field.getName() + " is missing");
      }
    }
    if (!manifest.key().equals(objectKey)) {
      throw notAManifest(storage, manifestKey, "it describes " + manifest.key() + ", not the object beside it");
    }
    return manifest;
  }

  private static Object value(RecordComponent field, BackupManifest manifest) {
    try {
      return field.getAccessor().invoke(manifest);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("record accessors are public", e);
    }
  }

  private static ApplicationFailure notAManifest(StorageLocation storage, String manifestKey, String reason) {
    return ApplicationFailure.newNonRetryableFailure(
        "manifest " + storage.uri(manifestKey) + " is not a backup manifest (" + reason
            + "); restore another backup or repair the file",
        FailureTypes.INVALID_INPUT);
  }
}
