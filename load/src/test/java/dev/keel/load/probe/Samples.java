package dev.keel.load.probe;

/** Builds readings for tests (the record's factories are package-private). */
public final class Samples {
  private Samples() {}

  /** A reading as /debug/memory would give it, at {@code atMs}. */
  public static MemorySample admin(long atMs, long heapAfterGc, long direct, long threads, long fds, long connections) {
    return new MemorySample(atMs, "admin", heapAfterGc, heapAfterGc * 2, heapAfterGc, direct, null, 100_000_000L,
        threads, fds, connections, 0L, 0L, 0L, 1L, null, null, null);
  }

  /** A reading with the allocator's shape and the close counters, as a current Keel's /debug/memory gives it. */
  public static MemorySample admin(long atMs, long heapAfterGc, long direct, long chunk, long arenas,
      java.util.Map<String, Long> closed) {
    return new MemorySample(atMs, "admin", heapAfterGc, heapAfterGc * 2, heapAfterGc, direct, null, 100_000_000L,
        20L, 40L, 0L, 0L, 0L, 0L, 1L, chunk, arenas, closed);
  }

  /** A reading as /proc gives it: no heap, no direct, no connections. */
  public static MemorySample proc(long atMs, long rss, long threads, long fds) {
    return MemorySample.fromProc(atMs, rss, threads, fds);
  }
}
