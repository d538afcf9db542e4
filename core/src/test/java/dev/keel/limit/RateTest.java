package dev.keel.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shape alone, with the state kept by the test as an owner keeps it (InboundGate). */
class RateTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void fullState_passesTheBurstAtOnce_thenOnePerToken_andTheStateIsAllThatChanges() {
    Rate rate = new Rate(10, 3); // a token per 100 ms
    long state = Rate.FULL;
    long now = 5_000 * MS;
    assertThat(rate.available(state, now)).as("tokens of a full state").isEqualTo(3);
    int passed = 0;
    while (rate.admits(state, now)) {
      state = rate.taken(state, now);
      passed++;
    }
    assertThat(passed).as("takes passed at one instant from a full state, burst 3").isEqualTo(3);
    assertThat(rate.nanosUntilNextToken(state, now)).as("wait for the next token").isEqualTo(100 * MS);
    assertThat(rate.admits(state, now + 99 * MS)).as("a take 99 ms later").isFalse();
    assertThat(rate.admits(state, now + 100 * MS)).as("a take 100 ms later").isTrue();
    assertThat(rate.available(state, now + 10_000 * MS)).as("tokens after 10 s: no more than the burst").isEqualTo(3);
  }

  @Test
  void twoOwnersOfOneShape_doNotShareTokens() {
    Rate rate = new Rate(1, 1);
    long a = Rate.FULL;
    long b = Rate.FULL;
    a = rate.taken(a, 0);
    assertThat(rate.admits(a, 0)).as("owner a, after its one token").isFalse();
    assertThat(rate.admits(b, 0)).as("owner b, untouched").isTrue();
  }

  @Test
  void invalidShape_isRefusedWithTheValue() {
    assertThatThrownBy(() -> new Rate(0, 1)).hasMessageContaining("ratePerSecond must be >= 1, was 0");
    assertThatThrownBy(() -> new Rate(1, 0)).hasMessageContaining("burst must be >= 1, was 0");
    assertThat(new Rate(5, 2)).as("shapes of the same rate and burst").isEqualTo(new Rate(5, 2));
  }
}
