package dev.keel.session;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.RateLimitPolicy;
import dev.keel.config.SlowConsumerPolicy;
import dev.keel.limit.Rate;

/**
 * The options every session reads, taken out of the configuration once per server and kept in
 * the units the session uses (nanoseconds), so no deadline computation looks an option up.
 */
public record SessionSettings(
    long handshakeNanos,
    long heartbeatNanos,
    long idleNanos,
    long writeTimeoutNanos,
    long closeTimeoutNanos,
    int queueBytes,
    int queueMessages,
    SlowConsumerPolicy slowConsumerPolicy,
    int rateLimit,
    int rateBurst,
    RateLimitPolicy rateLimitPolicy,
    int maxMessageSize,
    long frameTimeoutNanos,
    Rate rate) {

  /** @param rate the shape of every session's rate-limit bucket: {@code rateLimit} per second, {@code rateBurst} */
  public SessionSettings {
    if (rate == null) {
      rate = new Rate(rateLimit, rateBurst);
    }
  }

  /** Settings whose {@link #rate()} is made from {@code rateLimit} and {@code rateBurst}. */
  public SessionSettings(long handshakeNanos, long heartbeatNanos, long idleNanos, long writeTimeoutNanos,
      long closeTimeoutNanos, int queueBytes, int queueMessages, SlowConsumerPolicy slowConsumerPolicy,
      int rateLimit, int rateBurst, RateLimitPolicy rateLimitPolicy, int maxMessageSize, long frameTimeoutNanos) {
    this(handshakeNanos, heartbeatNanos, idleNanos, writeTimeoutNanos, closeTimeoutNanos, queueBytes, queueMessages,
        slowConsumerPolicy, rateLimit, rateBurst, rateLimitPolicy, maxMessageSize, frameTimeoutNanos, null);
  }

  public static SessionSettings from(KeelConfig c) {
    return new SessionSettings(
        c.get(CoreOptions.HANDSHAKE_TIMEOUT).toNanos(),
        c.get(CoreOptions.HEARTBEAT_INTERVAL).toNanos(),
        c.get(CoreOptions.IDLE_TIMEOUT).toNanos(),
        c.get(CoreOptions.WRITE_TIMEOUT).toNanos(),
        c.get(CoreOptions.CLOSE_TIMEOUT).toNanos(),
        c.get(CoreOptions.OUTBOUND_QUEUE_BYTES),
        c.get(CoreOptions.OUTBOUND_QUEUE_MESSAGES),
        c.get(CoreOptions.SLOW_CONSUMER_POLICY),
        c.get(CoreOptions.RATE_LIMIT),
        c.get(CoreOptions.RATE_BURST),
        c.get(CoreOptions.RATE_LIMIT_POLICY),
        c.get(CoreOptions.MAX_MESSAGE_SIZE),
        c.get(CoreOptions.FRAME_TIMEOUT).toNanos());
  }
}
