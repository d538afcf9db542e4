package dev.keel.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** Full-jitter backoff, with the random source in the test's hands. */
class BackoffTest {
  /** The ceilings of attempts 0, 1, 2, ...: 100 ms doubling, then the 5 s cap for good. */
  private static final long[] CEILINGS = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  /** Always the largest value allowed: the delay is then the ceiling itself. */
  private static final LongUnaryOperator TOP = n -> n - 1;
  private static final LongUnaryOperator BOTTOM = n -> 0;

  @Test
  void next_withTheLargestDraw_isTheCeiling_whichDoublesFrom100msTo5s() {
    Backoff b = new Backoff(Backoff.BASE, Backoff.CAP, TOP);
    for (int i = 0; i < CEILINGS.length; i++) {
      assertThat(b.ceiling().toMillis()).as("ceiling before attempt %d", i).isEqualTo(CEILINGS[i]);
      assertThat(b.next().toMillis()).as("delay of attempt %d, drawn at the top", i).isEqualTo(CEILINGS[i]);
    }
    assertThat(b.attempts()).as("attempts counted").isEqualTo(CEILINGS.length);
  }

  @Test
  void next_withTheSmallestDraw_isZero_fullJitterHasNoFloor() {
    Backoff b = new Backoff(Backoff.BASE, Backoff.CAP, BOTTOM);
    for (int i = 0; i < CEILINGS.length; i++) {
      assertThat(b.next()).as("delay of attempt %d, drawn at the bottom", i).isEqualTo(Duration.ZERO);
    }
  }

  @Test
  void next_asksTheSourceForTheWholeWindow_ceilingIncluded() {
    List<Long> asked = new ArrayList<>();
    Backoff b = new Backoff(Backoff.BASE, Backoff.CAP, n -> {
      asked.add(n);
      return 0;
    });
    for (int i = 0; i < CEILINGS.length; i++) {
      b.next();
    }
    assertThat(asked).as("bounds passed to the random source: [0, ceiling + 1)")
        .containsExactly(101L, 201L, 401L, 801L, 1601L, 3201L, 5001L, 5001L, 5001L);
  }

  @Test
  void next_withASeededRandom_staysWithinEachAttemptsCeiling() {
    for (long seed = 0; seed < 200; seed++) {
      Backoff b = new Backoff(Backoff.BASE, Backoff.CAP, new SplittableRandom(seed)::nextLong);
      for (int i = 0; i < CEILINGS.length; i++) {
        assertThat(b.next().toMillis()).as("seed %d, attempt %d", seed, i).isBetween(0L, CEILINGS[i]);
      }
    }
  }

  @Test
  void next_manyFailures_capHoldsAndNeverOverflows() {
    Backoff b = new Backoff(Backoff.BASE, Backoff.CAP, TOP);
    for (int i = 0; i < 10_000; i++) {
      b.next();
    }
    assertThat(b.ceiling()).as("ceiling after 10,000 failures").isEqualTo(Backoff.CAP);
    assertThat(b.next()).as("delay after 10,000 failures").isEqualTo(Backoff.CAP);
    long largest = Long.MAX_VALUE / 2;
    Backoff huge = new Backoff(Duration.ofMillis(1), Duration.ofMillis(largest), TOP);
    for (int i = 0; i < 100; i++) {
      assertThat(huge.next()).as("delay %d with the largest cap", i).isPositive();
    }
    assertThat(huge.ceiling().toMillis()).as("ceiling reached the largest cap without wrapping").isEqualTo(largest);
  }

  @Test
  void reset_afterASuccess_startsAgainFromTheBase() {
    Backoff b = new Backoff(Backoff.BASE, Backoff.CAP, TOP);
    for (int i = 0; i < 5; i++) {
      b.next();
    }
    b.reset();
    assertThat(b.attempts()).as("attempts after reset").isZero();
    assertThat(b.ceiling()).as("ceiling after reset").isEqualTo(Backoff.BASE);
    assertThat(b.next()).as("first delay after reset").isEqualTo(Backoff.BASE);
    assertThat(b.next().toMillis()).as("second delay after reset").isEqualTo(200);
  }

  @Test
  void schedules_ofTwoNodesWithDifferentSeeds_differ() {
    List<Long> a = schedule(new Backoff(Backoff.BASE, Backoff.CAP, new SplittableRandom(1)::nextLong));
    List<Long> b = schedule(new Backoff(Backoff.BASE, Backoff.CAP, new SplittableRandom(2)::nextLong));
    assertThat(a).as("node A's schedule against node B's").isNotEqualTo(b);
    long same = java.util.stream.IntStream.range(0, a.size()).filter(i -> a.get(i).equals(b.get(i))).count();
    assertThat(same).as("attempts at the same millisecond on both nodes, of %d", a.size()).isLessThan(3);
    assertThat(schedule(new Backoff(Backoff.BASE, Backoff.CAP, new SplittableRandom(1)::nextLong)))
        .as("the same seed gives the same schedule (the test is deterministic)").isEqualTo(a);
  }

  @Test
  void reconnect_drawsFromAFreshlySeededGenerator_twoLinksDoNotShareASchedule() {
    List<Long> a = schedule(Backoff.reconnect());
    List<Long> b = schedule(Backoff.reconnect());
    // 20 draws of up to 5,001 values each: equal by chance with a probability far below 10^-30.
    assertThat(a).as("two links' schedules").isNotEqualTo(b);
  }

  @Test
  void constructor_refusesAnEmptyOrInvertedWindow() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Backoff.CAP, TOP)).as("base 0")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base PT0S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(6), Backoff.CAP, TOP)).as("base above cap")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap PT5S");
    assertThatThrownBy(() -> new Backoff(Backoff.BASE, Duration.ofMillis(Long.MAX_VALUE / 2 + 1), TOP))
        .as("a cap whose doubling could overflow").isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void next_aSourceOutOfItsBounds_isRefused() {
    assertThatThrownBy(() -> new Backoff(Backoff.BASE, Backoff.CAP, n -> n).next()).as("a draw of n itself")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gave 101");
    assertThatThrownBy(() -> new Backoff(Backoff.BASE, Backoff.CAP, n -> -1).next()).as("a negative draw")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gave -1");
  }

  private static List<Long> schedule(Backoff b) {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      delays.add(b.next().toMillis());
    }
    return delays;
  }
}
