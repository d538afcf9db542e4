package dev.keel.fanout;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;

/**
 * How much of each topic's stream the registry keeps for recovery: the last {@code size} messages,
 * none older than {@code ttlNanos}, at most {@code maxBytes} of them (docs/protocol.md, Recovery).
 * A size of 0 turns history off.
 *
 * <p>Usage: {@code new TopicRegistry(alloc, counters, HistorySettings.from(config), budget, ticker)}
 */
public record HistorySettings(int size, long ttlNanos, long maxBytes) {
  /** No history: topics live only while they have subscribers, as before recovery existed. */
  public static final HistorySettings OFF = new HistorySettings(0, 0, 0);

  public static HistorySettings from(KeelConfig config) {
    return new HistorySettings(config.get(CoreOptions.HISTORY_SIZE), config.get(CoreOptions.HISTORY_TTL).toNanos(),
        config.get(CoreOptions.HISTORY_MAX_BYTES));
  }

  public boolean enabled() {
    return size > 0;
  }

  /**
   * How often the registry's one sweep drops expired history and the topics left with neither history
   * nor subscribers: a quarter of the TTL, between 10 ms and 1 s, so memory comes back within a
   * quarter TTL (at most a second) of expiring, for one cheap pass over the topics.
   */
  public long sweepIntervalNanos() {
    return Math.max(10_000_000L, Math.min(1_000_000_000L, ttlNanos / 4));
  }
}
