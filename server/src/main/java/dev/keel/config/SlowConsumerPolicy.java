package dev.keel.config;

import java.util.Locale;

/** What a connection's outbound queue does when a new data message does not fit. */
public enum SlowConsumerPolicy {
  /** Close the connection (WebSocket 1008 {@code slow consumer}); the default. */
  DISCONNECT,
  /** Release the oldest queued data messages until the new one fits. */
  DROP_OLDEST,
  /** Release the new message and keep what is queued. */
  DROP_NEWEST;

  /** The option's spelling: {@code disconnect}, {@code drop-oldest}, {@code drop-newest}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static SlowConsumerPolicy parse(String text) {
    for (SlowConsumerPolicy p : values()) {
      if (p.optionName().equalsIgnoreCase(text.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a slow-consumer policy: use disconnect, drop-oldest or drop-newest");
  }
}
