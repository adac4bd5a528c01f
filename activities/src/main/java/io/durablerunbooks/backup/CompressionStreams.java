package io.durablerunbooks.backup;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The compressed form of a stored dump, written by the backup and read by the restore. */
public final class CompressionStreams {

  private static final int GZIP_BUFFER = 64 * 1024;

  private CompressionStreams() {}

  /**
   * @param zstdWorkers zstd's own compression threads; 0 compresses on the caller's thread
   */
  public static OutputStream compress(Compression compression, int level, int zstdWorkers, OutputStream out)
      throws IOException {
    return switch (compression) {
      case ZSTD -> {
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out);
        zstd.setLevel(level);
        // The frame checksum lets the restore's decompressor reject a corrupted stream by itself.
        zstd.setChecksum(true);
        if (zstdWorkers > 0) {
          zstd.setWorkers(zstdWorkers);
        }
        yield zstd;
      }
      case GZIP -> new LeveledGzipOutputStream(out, level);
    };
  }

  public static InputStream decompress(Compression compression, InputStream in) throws IOException {
    return switch (compression) {
      case ZSTD -> new ZstdInputStreamNoFinalizer(in);
      case GZIP -> new GZIPInputStream(in, GZIP_BUFFER);
    };
  }

  /**
   * The compression a manifest names ({@code zstd}, {@code gzip}).
   *
   * @throws ApplicationFailure non-retryable {@code InvalidInput} for any other value
   */
  public static Compression fromManifest(String value, String manifestKey) {
    for (Compression compression : Compression.values()) {
      if (compression.name().equalsIgnoreCase(value)) {
        return compression;
      }
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "manifest " + manifestKey + ": compression '" + value + "' is not one of zstd, gzip; the manifest was not"
            + " written by this product or is damaged",
        FailureTypes.INVALID_INPUT);
  }

  private static final class LeveledGzipOutputStream extends GZIPOutputStream {

    LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
      super(out, GZIP_BUFFER);
      def.setLevel(level);
    }
  }
}
