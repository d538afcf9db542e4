package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuietSpellsTest {
  /** One interval, then the confirming look a tenth of an interval later at the same rate. */
  private static boolean endsAndStaysQuiet(QuietSpells s, long total, long afterLook) {
    return s.ended(total) && s.confirm(afterLook, 0.1);
  }

  @Test
  void steadyLoad_neverEnds() {
    QuietSpells s = new QuietSpells();
    long total = 0;
    for (int i = 0; i < 100; i++) {
      total += 10_000 + (i % 7) * 1_000; // a load that wobbles by up to 60%
      assertThat(s.ended(total)).as("interval %d of a steady load", i).isFalse();
    }
  }

  @Test
  void loadThatDropsToATenth_endsOnce_thenWaitsForTheNextLoad() {
    QuietSpells s = new QuietSpells();
    assertThat(s.ended(50_000)).as("the load").isFalse();
    assertThat(s.ended(100_000)).as("the load goes on").isFalse();
    assertThat(endsAndStaysQuiet(s, 105_000, 105_100)).as("a tenth of the busiest interval, and the look is quiet").isTrue();
    assertThat(s.ended(105_100)).as("quiet after the decision: nothing new to give back").isFalse();
    assertThat(s.ended(105_110)).as("a trickle is a new busiest interval, not yet over").isFalse();
    assertThat(endsAndStaysQuiet(s, 105_110, 105_110)).as("the trickle stopped").isTrue();
  }

  @Test
  void loadThatComesBackDuringTheLook_isNotTrimmedInto() {
    QuietSpells s = new QuietSpells();
    assertThat(s.ended(100_000)).as("the load").isFalse();
    assertThat(s.ended(100_000)).as("an interval with nothing: a candidate").isTrue();
    assertThat(s.confirm(110_000, 0.1)).as("a tenth of an interval later the load is back at full rate").isFalse();
    assertThat(s.ended(210_000)).as("the returning load goes on").isFalse();
    assertThat(endsAndStaysQuiet(s, 210_000, 210_000)).as("and then it ends").isTrue();
  }

  @Test
  void confirmWithoutACandidate_isFalse() {
    QuietSpells s = new QuietSpells();
    assertThat(s.confirm(0, 0.1)).as("nothing asked").isFalse();
    assertThat(s.ended(1_000)).as("a load").isFalse();
    assertThat(s.confirm(1_000, 0.1)).as("still not a candidate").isFalse();
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
    assertThat(endsAndStaysQuiet(s, 500, 400)).as("a counter that went back is no activity: the load ended").isTrue();
    assertThat(s.ended(400)).as("and still no new load").isFalse();
  }
}
