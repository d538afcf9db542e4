package dev.keel.limit;

import io.netty.util.concurrent.Ticker;

/**
 * A token bucket that refills lazily: each call reads the injected {@link Ticker}, and the tokens
 * earned since the last call follow from the time alone ({@link Rate}). There is no background refill
 * task, so a bucket costs nothing while idle and nothing has to be stopped when its connection ends.
 * A session keeps the same state in a field of its own ({@code InboundGate}); this is the bucket for
 * owners with no such object.
 *
 * <p>Not thread-safe: a bucket belongs to one connection and is used on its event loop.
 *
 * <p>Usage: {@code if (!bucket.tryTake()) { pauseFor(bucket.nanosUntilNextToken()); }}
 */
public final class TokenBucket {
  private final Rate rate;
  private final Ticker ticker;
  private long state = Rate.FULL;

  /**
   * @param ratePerSecond tokens earned per second, at least 1
   * @param burst bucket size, at least 1; the bucket starts full
   */
  public TokenBucket(int ratePerSecond, int burst, Ticker ticker) {
    this.rate = new Rate(ratePerSecond, burst);
    this.ticker = ticker;
  }

  /** Takes one token if there is one. */
  public boolean tryTake() {
    long now = ticker.nanoTime();
    if (rate.admits(state, now)) {
      state = rate.taken(state, now);
      return true;
    }
    return false;
  }

  /** Nanoseconds until {@link #tryTake()} can succeed; 0 if it can now. */
  public long nanosUntilNextToken() {
    return rate.nanosUntilNextToken(state, ticker.nanoTime());
  }

  /** Tokens available now. */
  public long available() {
    return rate.available(state, ticker.nanoTime());
  }
}
