package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The wait for the JIT after a warm-up: bounded, and never shorter than one quiet spell when it says quiet. */
class WarmupSettleTest {

  @Test
  void settleCompiler_returnsWithinItsCap_andClaimsQuietOnlyAfterAQuietSpell() throws Exception {
    long start = System.nanoTime();
    boolean quiet = Warmup.settleCompiler();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("bounded by its 3 s cap, plus one look").isLessThan(Duration.ofMillis(3_500));
    if (quiet && ManagementFactory.getCompilationMXBean().isCompilationTimeMonitoringSupported()) {
      assertThat(took).as("quiet means 200 ms without a compilation").isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
  }
}
