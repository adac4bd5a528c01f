package io.durablerunbooks.ssh;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it: a command's output can be endless, and its
 * end is what explains a failure.
 */
final class OutputTail extends OutputStream {

  private final byte[] ring;
  private long written;

  OutputTail(int capacity) {
    this.ring = new byte[capacity];
  }

  @Override
  public synchronized void write(int b) {
    ring[(int) (written++ % ring.length)] = (byte) b;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      ring[(int) ((written + i) % ring.length)] = b[off + i];
    }
    written += len;
  }

  synchronized boolean truncated() {
    return written > ring.length;
  }

  /** The kept bytes as text; a character cut in half at the start becomes a replacement mark. */
  synchronized String text() {
    if (written <= ring.length) {
      return new String(ring, 0, (int) written, StandardCharsets.UTF_8);
    }
    int start = (int) (written % ring.length);
    byte[] ordered = new byte[ring.length];
    System.arraycopy(ring, start, ordered, 0, ring.length - start);
    System.arraycopy(ring, 0, ordered, ring.length - start, start);
    return new String(ordered, StandardCharsets.UTF_8);
  }
}
