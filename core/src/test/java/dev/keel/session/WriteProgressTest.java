package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WriteProgressTest {
  private static final long TIMEOUT = 1_000;
  private final Object first = new Object();
  private final Object second = new Object();

  @Test
  void sameHeadSameProgress_movingUntilTheTimeoutThenNot() {
    WriteProgress p = new WriteProgress(0, first, 10);
    assertThat(p.moving(999, first, 10, TIMEOUT)).as("999 ns without progress, timeout 1000").isTrue();
    assertThat(p.moving(1_000, first, 10, TIMEOUT)).as("1000 ns without progress").isFalse();
  }

  @Test
  void moreOfTheHeadWritten_isProgressAndRestartsTheClock() {
    WriteProgress p = new WriteProgress(0, first, 10);
    assertThat(p.moving(900, first, 11, TIMEOUT)).as("one more byte written").isTrue();
    assertThat(p.since()).as("clock restarted at the progress").isEqualTo(900);
    assertThat(p.moving(1_899, first, 11, TIMEOUT)).as("999 ns since the progress").isTrue();
    assertThat(p.moving(1_900, first, 11, TIMEOUT)).as("1000 ns since the progress").isFalse();
  }

  @Test
  void aNewHead_isProgressEvenAtTheSameByteCount() {
    WriteProgress p = new WriteProgress(0, first, 0);
    assertThat(p.moving(5_000, second, 0, TIMEOUT)).as("the head message changed").isTrue();
    assertThat(p.since()).isEqualTo(5_000);
  }

  @Test
  void headComparedByIdentity_notEquality() {
    String a = new String("frame");
    String b = new String("frame");
    WriteProgress p = new WriteProgress(0, a, 0);
    assertThat(p.moving(2_000, b, 0, TIMEOUT)).as("an equal but different message is a new head").isTrue();
  }
}
