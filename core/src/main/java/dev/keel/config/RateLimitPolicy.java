package dev.keel.config;

import java.util.Locale;

/** What happens to a connection that sends faster than its token bucket allows. */
public enum RateLimitPolicy implements Option.Named {
  /** Stop reading the socket until tokens refill, so TCP flow control slows the sender; the default. */
  THROTTLE,
  /** Close the connection (WebSocket 1008 {@code rate limit}, TCP error {@code rate_limited}). */
  DISCONNECT;

  @Override
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

}
