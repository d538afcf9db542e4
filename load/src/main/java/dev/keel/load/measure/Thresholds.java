package dev.keel.load.measure;

/**
 * The tolerances the leak verdict uses. Every one is printed with the verdict.
 *
 * @param maxHeapGrowthBytes heap after GC at the end may exceed the baseline by this much
 * @param maxDirectGrowthBytes direct memory (Netty's, else the JVM's) likewise; {@link #AUTO}: sized by the
 *     server's allocator ({@link #directLimit})
 * @param maxThreadGrowth server threads likewise
 * @param maxFdGrowth server open file descriptors likewise
 * @param maxConnectionsLeft connections the server still counts after every client has gone
 * @param maxSlopeBytesPerMinute the fitted growth of heap after GC (RSS when there is no heap figure)
 * @param maxSlopeBytesPer1000Lifetimes the same growth per 1,000 connection lifetimes (churn)
 * @param minSlopeWindowSeconds shorter runs report the slope without judging it: noise dominates
 * @param warmupFraction the first part of the run left out of the fit (pools and caches fill up)
 */
public record Thresholds(
    long maxHeapGrowthBytes,
    long maxDirectGrowthBytes,
    long maxThreadGrowth,
    long maxFdGrowth,
    long maxConnectionsLeft,
    double maxSlopeBytesPerMinute,
    double maxSlopeBytesPer1000Lifetimes,
    double minSlopeWindowSeconds,
    double warmupFraction) {

  public static final long MIB = 1024 * 1024;
  /** {@code --max-direct-growth auto}: one chunk per arena of the server's allocator, and half a chunk. */
  public static final long AUTO = -1;
  /**
   * The direct-memory tolerance when the server does not say how its allocator grows: four 4 MiB chunks
   * (Netty's pooled allocator on two cores: two direct arenas per core) and half of one. Not 16 MiB:
   * that is exactly where four arenas that each took their first chunk land, so every short run read
   * "grew 16.0 MiB (limit 16.0 MiB)".
   */
  public static final long DIRECT_FALLBACK = 18 * MIB;

  /** 16 MiB heap, direct sized by the allocator, 4 threads, 16 fds, 0 connections, 8 MiB/min, 1 MiB per 1,000 lifetimes. */
  public static Thresholds defaults() {
    return new Thresholds(16 * MIB, AUTO, 4, 16, 0, 8.0 * MIB, 1.0 * MIB, 60, 0.2);
  }

  /** The direct-memory limit and how it was made. */
  public record DirectLimit(long bytes, String basis) {}

  /**
   * The allowed growth of direct memory for a run whose end reading is {@code end}. A pooled allocator
   * grows in whole chunks per arena and keeps them: a run that touched every arena ends one chunk per
   * arena up, which is no leak. The limit is that plus half a chunk, so it never sits on a chunk
   * boundary; a leak keeps taking chunks past it.
   */
  public DirectLimit directLimit(dev.keel.load.probe.MemorySample end) {
    if (maxDirectGrowthBytes != AUTO) {
      return new DirectLimit(maxDirectGrowthBytes, "--max-direct-growth");
    }
    Long chunk = end == null ? null : end.nettyChunkBytes();
    Long arenas = end == null ? null : end.nettyDirectArenas();
    if (chunk == null || arenas == null || chunk <= 0 || arenas <= 0) {
      return new DirectLimit(DIRECT_FALLBACK, "four 4 MiB chunks and half of one");
    }
    return new DirectLimit(arenas * chunk + chunk / 2, arenas + " arenas x one " + Bytes.human(chunk) + " chunk, and half a chunk");
  }

  public Thresholds {
    if (warmupFraction < 0 || warmupFraction >= 1) {
      throw new IllegalArgumentException("warmup fraction must be in [0, 1), was " + warmupFraction);
    }
  }
}
