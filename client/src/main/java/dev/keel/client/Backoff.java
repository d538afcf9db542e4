package dev.keel.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Full-jitter exponential backoff (AWS's "Exponential Backoff and Jitter"): the n-th retry waits a
 * uniformly random time in [0, min(max, initial × 2^n)), so clients dropped together spread over the
 * whole window instead of returning in lockstep. An overloaded server (503 at the upgrade, 1013, 1008
 * "server overloaded") is given longer: the ceiling of two steps further on, and at least half of it.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final RandomGenerator random;
  private int attempt;

  Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The wait before the next attempt; each call counts one more attempt. */
  Duration next(boolean overloaded) {
    int n = overloaded ? attempt + 2 : attempt;
    attempt++;
    long ceiling = ceiling(n);
    long low = overloaded ? ceiling / 2 : 0;
    return Duration.ofNanos(low + (long) (random.nextDouble() * (ceiling - low)));
  }

  private long ceiling(int n) {
    if (n >= 62 || initialNanos << Math.min(n, 62) <= 0) {
      return maxNanos;
    }
    return Math.min(maxNanos, initialNanos << n);
  }

  int attempts() {
    return attempt;
  }

  void reset() {
    attempt = 0;
  }
}
