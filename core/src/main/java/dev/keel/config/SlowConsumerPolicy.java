package dev.keel.config;

import java.util.Locale;

/** What a connection's outbound queue does when a new data message does not fit. */
public enum SlowConsumerPolicy implements Option.Named {
  /** Close the connection (WebSocket 1008 {@code slow consumer}); the default. */
  DISCONNECT,
  /** Release the oldest queued data messages until the new one fits. */
  DROP_OLDEST,
  /** Release the new message and keep what is queued. */
  DROP_NEWEST,
  /**
   * A subscriber that is behind (its socket and channel buffer are full) keeps only the newest queued
   * message of each topic: an older one of the same topic is dropped when a newer one arrives. For
   * market data and dashboards, which want the latest value, not every value; seq gaps say what was
   * skipped. When the queue is full even so (many topics), the oldest go, as under drop-oldest.
   */
  CONFLATE;

  /** The option's spelling: {@code disconnect}, {@code drop-oldest}, {@code drop-newest}. */
  @Override
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

}
