package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Full-jitter backoff: within its window, doubling to the cap, longer when overloaded, never lockstep. */
class BackoffTest {
  private static Backoff backoff(long seed) {
    return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new SplittableRandom(seed));
  }

  @Test
  void next_staysUnderTheDoublingCeiling_upToTheCap() {
    Backoff b = backoff(1);
    long[] ceilings = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (long ceiling : ceilings) {
      Duration d = b.next(false);
      assertThat(d.toMillis()).as("attempt " + b.attempts() + " under " + ceiling + " ms").isBetween(0L, ceiling);
    }
  }

  @Test
  void next_whenOverloaded_waitsAtLeastHalfOfACeilingTwoStepsOn() {
    Backoff b = backoff(2);
    Duration first = b.next(true);
    assertThat(first.toMillis()).as("first attempt after a 503: 1 to 2 s").isBetween(1000L, 2000L);
  }

  @Test
  void reset_startsOverFromTheFirstCeiling() {
    Backoff b = backoff(3);
    for (int i = 0; i < 8; i++) {
      b.next(false);
    }
    b.reset();
    assertThat(b.next(false).toMillis()).as("after a connection opened").isLessThan(500);
    assertThat(b.attempts()).as("counted again from 1").isEqualTo(1);
  }

  /** 2,000 clients dropped together: their first retries spread over the whole window. */
  @Test
  void next_forTwoThousandClientsDroppedAtOnce_spreadsOverTheWindow() {
    RandomGenerator seeds = new SplittableRandom(4);
    int[] buckets = new int[10];
    for (int i = 0; i < 2000; i++) {
      long ms = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new SplittableRandom(seeds.nextLong()))
          .next(false).toMillis();
      buckets[(int) Math.min(9, ms / 50)]++;
    }
    for (int i = 0; i < buckets.length; i++) {
      assertThat(buckets[i]).as("50 ms bucket " + i + " of the 500 ms window holds about a tenth").isBetween(140, 260);
    }
  }
}
