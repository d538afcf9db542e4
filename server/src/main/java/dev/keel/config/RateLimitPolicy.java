package dev.keel.config;

import java.util.Locale;

/** What happens to a connection that sends faster than its token bucket allows. */
public enum RateLimitPolicy {
  /** Stop reading the socket until tokens refill, so TCP flow control slows the sender; the default. */
  THROTTLE,
  /** Close the connection (WebSocket 1008 {@code rate limit}, TCP error {@code rate_limited}). */
  DISCONNECT;

  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RateLimitPolicy parse(String text) {
    for (RateLimitPolicy p : values()) {
      if (p.optionName().equalsIgnoreCase(text.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a rate-limit policy: use throttle or disconnect");
  }
}
