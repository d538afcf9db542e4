package dev.keel.load.measure;

/**
 * The tolerances the leak verdict uses. Every one is printed with the verdict.
 *
 * @param maxHeapGrowthBytes heap after GC at the end may exceed the baseline by this much
 * @param maxDirectGrowthBytes direct memory (Netty's, else the JVM's) likewise
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

  /** 16 MiB heap and direct, 4 threads, 16 fds, 0 connections, 8 MiB/min, 1 MiB per 1,000 lifetimes. */
  public static Thresholds defaults() {
    return new Thresholds(16 * MIB, 16 * MIB, 4, 16, 0, 8.0 * MIB, 1.0 * MIB, 60, 0.2);
  }

  public Thresholds {
    if (warmupFraction < 0 || warmupFraction >= 1) {
      throw new IllegalArgumentException("warmup fraction must be in [0, 1), was " + warmupFraction);
    }
  }
}
