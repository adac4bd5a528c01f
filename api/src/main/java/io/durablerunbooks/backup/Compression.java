package io.durablerunbooks.backup;

/** How a dump is compressed before it is stored. */
public enum Compression {
  ZSTD("zst", 1, 19),
  GZIP("gz", 1, 9);

  private final String extension;
  private final int minLevel;
  private final int maxLevel;

  Compression(String extension, int minLevel, int maxLevel) {
    this.extension = extension;
    this.minLevel = minLevel;
    this.maxLevel = maxLevel;
  }

  public String extension() {
    return extension;
  }

  public int minLevel() {
    return minLevel;
  }

  public int maxLevel() {
    return maxLevel;
  }

  public int defaultLevel() {
    return this == ZSTD ? 3 : 6;
  }
}
