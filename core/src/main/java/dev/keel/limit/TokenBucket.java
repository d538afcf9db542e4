package dev.keel.limit;

import io.netty.util.concurrent.Ticker;

/**
 * A token bucket that refills lazily: each call reads the injected {@link Ticker} and adds the
 * tokens earned since the last call. There is no background refill task, so a bucket costs nothing
 * while idle and nothing has to be stopped when its connection ends.
 *
 * <p>Not thread-safe: a bucket belongs to one connection and is used on its event loop.
 *
 * <p>Usage: {@code if (!bucket.tryTake()) { pauseFor(bucket.nanosUntilNextToken()); }}
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final Ticker ticker;
  private final long capacity;
  /** Nanoseconds it takes to earn one token. */
  private final long nanosPerToken;
  private long tokens;
  /** The ticker time up to which tokens have been credited. */
  private long creditedUpTo;

  /**
   * @param ratePerSecond tokens earned per second, at least 1
   * @param burst bucket size, at least 1; the bucket starts full
   */
  public TokenBucket(int ratePerSecond, int burst, Ticker ticker) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond must be >= 1, was " + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1, was " + burst);
    }
    this.ticker = ticker;
    this.capacity = burst;
    this.nanosPerToken = Math.max(1, NANOS_PER_SECOND / ratePerSecond);
    this.tokens = burst;
    this.creditedUpTo = ticker.nanoTime();
  }

  /** Takes one token if there is one. */
  public boolean tryTake() {
    refill();
    if (tokens > 0) {
      tokens--;
      return true;
    }
    return false;
  }

  /** Nanoseconds until {@link #tryTake()} can succeed; 0 if it can now. */
  public long nanosUntilNextToken() {
    refill();
    if (tokens > 0) {
      return 0;
    }
    return Math.max(1, creditedUpTo + nanosPerToken - ticker.nanoTime());
  }

  /** Tokens available now. */
  public long available() {
    refill();
    return tokens;
  }

  private void refill() {
    long now = ticker.nanoTime();
    if (tokens >= capacity) {
      // A full bucket earns nothing: time spent full must not count toward the token after the
      // next take, or burst + 1 messages could pass in an instant.
      creditedUpTo = now;
      return;
    }
    long elapsed = now - creditedUpTo;
    if (elapsed < nanosPerToken) {
      return;
    }
    long earned = elapsed / nanosPerToken;
    if (tokens + earned >= capacity) {
      tokens = capacity;
      creditedUpTo = now;
    } else {
      tokens += earned;
      // Keep the remainder so that fractional progress toward the next token is not lost.
      creditedUpTo += earned * nanosPerToken;
    }
  }
}
