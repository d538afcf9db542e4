package dev.keel.cluster.redis;

import java.time.Duration;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Delays between reconnect attempts: exponential backoff with full jitter (the AWS Architecture
 * Blog's "Exponential Backoff And Jitter"): before attempt {@code n} (0 after a success) wait a
 * uniformly random time in {@code [0, min(cap, base * 2^n)]}. Every node that lost Redis at the same
 * moment then spreads its attempts over the whole window instead of knocking again in lockstep,
 * which plain doubling does (same schedule on every node).
 *
 * <p>Not thread-safe: one per connection to Redis, used on that connection's executor thread only.
 *
 * <p>Usage: {@code Backoff b = Backoff.reconnect(); schedule(retry, b.next()); ... b.reset();}
 */
final class Backoff {
  /** The first ceiling, as the plain doubling before it: a brief blip costs at most 100 ms. */
  static final Duration BASE = Duration.ofMillis(100);
  /** The largest ceiling: a Redis back after a long outage is found within 5 s. */
  static final Duration CAP = Duration.ofSeconds(5);

  private final long baseMillis;
  private final long capMillis;
  /** Given n at least 1, a uniformly random long in [0, n). */
  private final LongUnaryOperator below;
  private long ceilingMillis;
  private int attempt;

  /**
   * @param below given {@code n >= 1}, a uniformly random long in {@code [0, n)}, e.g.
   *     {@code new SplittableRandom(seed)::nextLong}; tests pass a fixed function
   */
  Backoff(Duration base, Duration cap, LongUnaryOperator below) {
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
    // The upper bound keeps ceiling + 1 and the doubling clear of overflow.
    if (baseMillis < 1 || capMillis < baseMillis || capMillis > Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException("backoff needs 1 ms <= base <= cap <= Long.MAX_VALUE / 2 ms, was base "
          + base + ", cap " + cap);
    }
    this.below = below;
    this.ceilingMillis = baseMillis;
  }

  /** 100 ms to 5 s, drawn from a generator seeded differently in every JVM. */
  static Backoff reconnect() {
    return new Backoff(BASE, CAP, RandomGenerator.getDefault()::nextLong);
  }

  /** The delay before the next attempt; the ceiling doubles (up to the cap) for the one after. */
  Duration next() {
    long delay = below.applyAsLong(ceilingMillis + 1); // + 1: the ceiling itself may be drawn
    if (delay < 0 || delay > ceilingMillis) {
      throw new IllegalStateException("random source gave " + delay + " for [0, " + (ceilingMillis + 1) + ")");
    }
    ceilingMillis = Math.min(capMillis, ceilingMillis * 2); // stays at the cap however many fail
    attempt++;
    return Duration.ofMillis(delay);
  }

  /** After a success: the next delay is drawn from {@code [0, base]} again. */
  void reset() {
    ceilingMillis = baseMillis;
    attempt = 0;
  }

  /** The longest delay {@link #next} can return now. */
  Duration ceiling() {
    return Duration.ofMillis(ceilingMillis);
  }

  /** Delays handed out since the last reset (the attempt number of the next one). */
  int attempts() {
    return attempt;
  }
}
