package dev.keel.fanout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One topic's recent messages, oldest first, with contiguous seqs. Guarded by its topic's monitor.
 *
 * <p>It holds each message's compact JSON {@code data} as the exact-size {@code byte[]} the publisher
 * handed over (never a pooled buffer: history outlives every connection and must not pin the
 * allocator's chunks); a replay encodes {@code msg} again, as a live publish does.
 */
final class History {
  /**
   * Heap a kept message costs beside its data: the entry (12 B header, two longs, one reference: 32 B),
   * the {@code byte[]} header (16 B) and its deque slot (8 B), with compressed oops.
   */
  static final int ENTRY_OVERHEAD = 56;

  record Entry(long seq, byte[] data, long atNanos) {
    long cost() {
      return data.length + ENTRY_OVERHEAD;
    }
  }

  private final HistorySettings settings;
  private final HistoryCounters counters;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long bytes;
  /** The highest seq dropped for its age: a position at or below it was lost to the TTL. */
  private long expiredThrough;

  History(HistorySettings settings, HistoryCounters counters) {
    this.settings = settings;
    this.counters = counters;
  }

  /** Keeps {@code data} as message {@code seq}, then trims to the size and byte bounds. */
  void add(long seq, byte[] data, long nowNanos) {
    Entry e = new Entry(seq, data, nowNanos);
    entries.addLast(e);
    bytes += e.cost();
    counters.added(e.cost());
    while (entries.size() > settings.size()) {
      drop(TrimCause.SIZE);
    }
    while (bytes > settings.maxBytes() && !entries.isEmpty()) {
      drop(TrimCause.BYTES);
    }
  }

  /** Drops what is older than the TTL. */
  void trimExpired(long nowNanos) {
    while (!entries.isEmpty() && nowNanos - entries.peekFirst().atNanos() >= settings.ttlNanos()) {
      expiredThrough = drop(TrimCause.TTL);
    }
  }

  /** Drops everything (the budget, a gap in the stream, shutdown); returns the bytes freed. */
  long clear(TrimCause cause) {
    long freed = bytes;
    counters.removed(entries.size(), bytes, cause);
    entries.clear();
    bytes = 0;
    return freed;
  }

  private long drop(TrimCause cause) {
    Entry e = entries.pollFirst();
    bytes -= e.cost();
    counters.removed(1, e.cost(), cause);
    return e.seq();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  long bytes() {
    return bytes;
  }

  int size() {
    return entries.size();
  }

  /** The seq of the oldest message kept, or {@code lastSeq + 1} when none is. */
  long oldestSeq(long lastSeq) {
    return entries.isEmpty() ? lastSeq + 1 : entries.peekFirst().seq();
  }

  long expiredThrough() {
    return expiredThrough;
  }

  /** The messages after {@code seq}, oldest first (a copy of the references: replayed off the monitor). */
  List<Entry> after(long seq) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.seq() > seq) {
        out.add(e);
      }
    }
    return out;
  }
}
