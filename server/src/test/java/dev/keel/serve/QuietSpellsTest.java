package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuietSpellsTest {
  @Test
  void steadyLoad_neverEnds() {
    QuietSpells s = new QuietSpells();
    long total = 0;
    s.ended(total);
    for (int i = 0; i < 100; i++) {
      total += 10_000 + (i % 7) * 1_000; // a load that wobbles by up to 60%
      assertThat(s.ended(total)).as("interval %d of a steady load", i).isFalse();
    }
  }

  @Test
  void loadThatDropsToATenth_endsOnce_thenWaitsForTheNextLoad() {
    QuietSpells s = new QuietSpells();
    s.ended(0);
    assertThat(s.ended(50_000)).as("the load").isFalse();
    assertThat(s.ended(100_000)).as("the load goes on").isFalse();
    assertThat(s.ended(105_000)).as("a tenth of the busiest interval: ended").isTrue();
    assertThat(s.ended(105_000)).as("quiet after the decision: nothing new to give back").isFalse();
    assertThat(s.ended(105_010)).as("a trickle is a new busiest interval, not yet over").isFalse();
    assertThat(s.ended(105_010)).as("the trickle stopped").isTrue();
  }

  @Test
  void idleFromTheStart_neverEnds() {
    QuietSpells s = new QuietSpells();
    for (int i = 0; i < 10; i++) {
      assertThat(s.ended(0)).as("interval %d with nothing at all", i).isFalse();
    }
  }

  @Test
  void aLoadThatEasesSlowly_endsWhenItReachesATenth() {
    QuietSpells s = new QuietSpells();
    long total = 0;
    s.ended(total);
    int[] perInterval = {10_000, 8_000, 5_000, 2_000, 1_001, 1_000};
    boolean[] expected = {false, false, false, false, false, true};
    for (int i = 0; i < perInterval.length; i++) {
      total += perInterval[i];
      assertThat(s.ended(total)).as("interval %d at %d", i, perInterval[i]).isEqualTo(expected[i]);
    }
  }

  @Test
  void counterThatGoesBack_isTreatedAsNoActivity() {
    QuietSpells s = new QuietSpells();
    assertThat(s.ended(1_000)).as("the first interval counts from the server's start").isFalse();
    assertThat(s.ended(500)).as("a counter that went back is no activity: the load ended").isTrue();
    assertThat(s.ended(400)).as("and still no new load").isFalse();
  }
}
