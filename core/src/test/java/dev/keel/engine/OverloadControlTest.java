package dev.keel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.engine.OverloadControl.Holder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whom a shed round closes: the largest holders first, no more than cover the excess. */
class OverloadControlTest {
  private static List<String> names(List<Holder<String>> chosen) {
    return chosen.stream().map(Holder::who).toList();
  }

  private static final List<Holder<String>> HOLDERS = List.of(
      new Holder<>("idle", 4_096), new Holder<>("big", 900_000), new Holder<>("half-frame", 34_000),
      new Holder<>("biggest", 3_000_000), new Holder<>("middle", 200_000));

  @Test
  void theLargestGoFirst_andNoMoreThanCoverTheExcess() {
    assertThat(names(OverloadControl.largestCovering(HOLDERS, 3_500_000))).as("closed to free 3.5 MB")
        .containsExactly("biggest", "big");
  }

  @Test
  void oneHolderCoveringTheExcess_isTheOnlyOneClosed() {
    assertThat(names(OverloadControl.largestCovering(HOLDERS, 1))).as("closed to free 1 byte")
        .containsExactly("biggest");
  }

  @Test
  void anExcessBeyondEveryone_closesEveryone_largestFirst() {
    assertThat(names(OverloadControl.largestCovering(HOLDERS, 10_000_000))).as("closed to free 10 MB")
        .containsExactly("biggest", "big", "middle", "half-frame", "idle");
  }
}
