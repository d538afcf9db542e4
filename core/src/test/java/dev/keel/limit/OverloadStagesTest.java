package dev.keel.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stage machine alone: accounting and heap pressure are given, and so is the time. */
class OverloadStagesTest {
  private static final long BUDGET = 1000;
  private static final long DWELL = TimeUnit.SECONDS.toNanos(1);
  private final OverloadStages stages = new OverloadStages(BUDGET, 80, 95, 70, DWELL);
  private long now = 1_000_000_000L;

  private Stage at(long accounted) {
    return stages.next(now, accounted, false, false);
  }

  private void after(long nanos) {
    now += nanos;
  }

  @Test
  void belowTheHighMark_normal() {
    assertThat(at(0)).as("stage with nothing held").isEqualTo(Stage.NORMAL);
    assertThat(at(799)).as("stage just under the high mark").isEqualTo(Stage.NORMAL);
  }

  @Test
  void atTheHighMark_high_atTheShedMark_shed() {
    assertThat(at(800)).as("stage at the high mark").isEqualTo(Stage.HIGH);
    assertThat(at(949)).as("stage just under the shed mark").isEqualTo(Stage.HIGH);
    assertThat(at(950)).as("stage at the shed mark").isEqualTo(Stage.SHED);
  }

  @Test
  void high_endsOnlyBelowTheResumeMark() {
    at(850);
    after(2 * DWELL);
    assertThat(at(790)).as("stage under the high mark, above the resume mark").isEqualTo(Stage.HIGH);
    assertThat(at(700)).as("stage at the resume mark").isEqualTo(Stage.HIGH);
    assertThat(at(699)).as("stage under the resume mark").isEqualTo(Stage.NORMAL);
  }

  @Test
  void high_holdsForTheDwell_evenWhenMemoryFallsAtOnce() {
    at(850);
    after(DWELL / 2);
    assertThat(at(0)).as("stage half a dwell after entering high, nothing held").isEqualTo(Stage.HIGH);
    after(DWELL / 2);
    assertThat(at(0)).as("stage a dwell after entering high, nothing held").isEqualTo(Stage.NORMAL);
  }

  @Test
  void shed_fallsToHighUnderTheHighMark_notStraightToNormal() {
    at(960);
    after(2 * DWELL);
    assertThat(at(900)).as("stage back under the shed mark, above the high mark").isEqualTo(Stage.HIGH);
    assertThat(at(750)).as("stage between resume and high marks after a shed").isEqualTo(Stage.HIGH);
    after(2 * DWELL);
    assertThat(at(100)).as("stage under the resume mark after the dwell").isEqualTo(Stage.NORMAL);
  }

  @Test
  void heapPressure_drivesTheSameStages() {
    assertThat(stages.next(now, 0, true, false)).as("stage with heap after GC over its high threshold")
        .isEqualTo(Stage.HIGH);
    assertThat(stages.next(now, 0, true, true)).as("stage with heap after GC over its critical threshold")
        .isEqualTo(Stage.SHED);
    after(2 * DWELL);
    assertThat(stages.next(now, 0, false, false)).as("stage once the heap is back down").isEqualTo(Stage.NORMAL);
  }

  @Test
  void excessOverHigh_isWhatSheddingMustFree() {
    assertThat(stages.excessOverHigh(960)).as("bytes over the high mark at 96%").isEqualTo(160);
    assertThat(stages.excessOverHigh(500)).as("bytes over the high mark at 50%").isZero();
  }

  @Test
  void marksThatDoNotRise_areRefused() {
    assertThatThrownBy(() -> new OverloadStages(BUDGET, 80, 80, 70, DWELL))
        .as("high mark equal to the shed mark").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OverloadStages(BUDGET, 80, 95, 85, DWELL))
        .as("resume mark above the high mark").isInstanceOf(IllegalArgumentException.class);
  }
}
