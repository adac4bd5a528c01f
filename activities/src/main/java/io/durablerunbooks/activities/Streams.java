package io.durablerunbooks.activities;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/** Copying of the large streams (dumps, backups) with progress reports. */
public final class Streams {

  /** Large enough that per-call costs (JNI, syscalls) vanish next to the bytes moved. */
  private static final int BUFFER_SIZE = 1 << 20;

  /** Reading the source of a {@link #copy} failed. */
  public static final class ReadFailed extends IOException {
    ReadFailed(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Writing to the destination of a {@link #copy} failed (e.g. the process reading it exited). */
  public static final class WriteFailed extends IOException {
    WriteFailed(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Counts the bytes read through it. */
  public static final class CountingInputStream extends FilterInputStream {

    private volatile long count;

    public CountingInputStream(InputStream in) {
      super(in);
    }

    public long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }

  private Streams() {}

  /**
   * Copies {@code in} to {@code out} until the end of {@code in}.
   *
   * @param progress called after each chunk with the bytes copied so far
   * @return the bytes copied
   * @throws ReadFailed or {@link WriteFailed}, telling which side broke
   */
  public static long copy(InputStream in, OutputStream out, LongConsumer progress) throws IOException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long total = 0;
    while (true) {
      int n;
      try {
        n = in.read(buffer);
      } catch (IOException e) {
        throw new ReadFailed(e);
      }
      if (n < 0) {
        return total;
      }
      try {
        out.write(buffer, 0, n);
      } catch (IOException e) {
        throw new WriteFailed(e);
      }
      total += n;
      progress.accept(total);
    }
  }
}
