package dev.keel.limit;

/**
 * A token bucket's shape, a rate and a burst, shared by every bucket of that shape. A bucket's own
 * state is one {@code long} its owner keeps: the time at which the bucket would be full again, the
 * generic cell rate algorithm's "theoretical arrival time". So a connection's rate limit costs it eight
 * bytes in an object it already has, not an object of its own: there is one per connection.
 *
 * <p>With {@code T} the nanoseconds a token takes to earn and {@code tau = (burst - 1) * T}, a take at
 * {@code now} succeeds while {@code max(state, now) - now <= tau}, and moves the state to
 * {@code max(state, now) + T}. That is the token bucket exactly: a full bucket ({@code state <= now})
 * passes {@code burst} takes at once, then one per {@code T}; a bucket that stays full earns nothing
 * more (the {@code max}), and partial progress toward the next token is kept (the state is a time, not a
 * count). Times come from the caller's clock (an event loop's ticker), so tests move them by hand.
 */
public final class Rate {
  /** The state of a bucket that is full whenever it is first looked at. */
  public static final long FULL = Long.MIN_VALUE;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int burst;
  /** Nanoseconds it takes to earn one token. */
  private final long nanosPerToken;
  /** How far ahead of now the state may be and a take still pass: {@code (burst - 1)} tokens' worth. */
  private final long tolerance;

  /**
   * @param ratePerSecond tokens earned per second, at least 1
   * @param burst bucket size, at least 1
   */
  public Rate(int ratePerSecond, int burst) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond must be >= 1, was " + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1, was " + burst);
    }
    this.burst = burst;
    this.nanosPerToken = Math.max(1, NANOS_PER_SECOND / ratePerSecond);
    this.tolerance = (burst - 1) * nanosPerToken; // at most 2^31 * 10^9: no overflow
  }

  /** Whether a bucket in {@code state} has a token at {@code now}. */
  public boolean admits(long state, long now) {
    return Math.max(state, now) - now <= tolerance;
  }

  /** The state after one token is taken at {@code now}; call only when {@link #admits} says so. */
  public long taken(long state, long now) {
    return Math.max(state, now) + nanosPerToken;
  }

  /** Nanoseconds from {@code now} until a bucket in {@code state} has a token; 0 if it has one now. */
  public long nanosUntilNextToken(long state, long now) {
    return Math.max(0, Math.max(state, now) - tolerance - now);
  }

  /** Tokens a bucket in {@code state} holds at {@code now}. */
  public long available(long state, long now) {
    long ahead = Math.max(state, now) - now;
    return ahead > tolerance ? 0 : Math.min(burst, (tolerance - ahead) / nanosPerToken + 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rate r && r.burst == burst && r.nanosPerToken == nanosPerToken;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(nanosPerToken) * 31 + burst;
  }

  @Override
  public String toString() {
    return "Rate[" + burst + " burst, a token per " + nanosPerToken + " ns]";
  }
}
