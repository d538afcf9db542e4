package dev.keel.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyTest {
  private static long ms(long n) {
    return TimeUnit.MILLISECONDS.toNanos(n);
  }

  @Test
  void interval_oneToHundredMs_givesPercentilesWithinHdrPrecision() {
    Latency l = new Latency();
    for (int i = 1; i <= 100; i++) {
      l.recordNanos(ms(i));
    }
    Latency.Snapshot s = l.interval();
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.p50Ms()).isCloseTo(50.0, within(0.1));
    assertThat(s.p90Ms()).isCloseTo(90.0, within(0.1));
    assertThat(s.p99Ms()).isCloseTo(99.0, within(0.1));
    assertThat(s.maxMs()).isCloseTo(100.0, within(0.1));
  }

  @Test
  void interval_startsAfreshEachCall_whileTotalKeepsEverything() {
    Latency l = new Latency();
    for (int i = 0; i < 99; i++) {
      l.recordNanos(ms(1));
    }
    assertThat(l.interval().p99Ms()).isCloseTo(1.0, within(0.01));
    l.recordNanos(ms(500));
    Latency.Snapshot second = l.interval();
    assertThat(second.count()).as("only the new value").isEqualTo(1);
    assertThat(second.maxMs()).isCloseTo(500.0, within(0.5));
    Latency.Snapshot total = l.total();
    assertThat(total.count()).isEqualTo(100);
    assertThat(total.p50Ms()).isCloseTo(1.0, within(0.01));
    assertThat(total.maxMs()).isCloseTo(500.0, within(0.5));
  }

  @Test
  void snapshot_nothingRecorded_isAllZero() {
    Latency.Snapshot s = new Latency().interval();
    assertThat(s).isEqualTo(new Latency.Snapshot(0, 0, 0, 0, 0, 0));
  }

  @Test
  void recordNanos_negativeFromClockSkew_countsAsZero() {
    Latency l = new Latency();
    l.recordNanos(-5);
    Latency.Snapshot s = l.interval();
    assertThat(s.count()).isEqualTo(1);
    assertThat(s.maxMs()).isZero();
  }

  @Test
  void recordNanos_fromManyThreads_losesNothing() throws Exception {
    Latency l = new Latency();
    Thread[] ts = new Thread[4];
    for (int t = 0; t < ts.length; t++) {
      ts[t] = new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          l.recordNanos(ms(2));
        }
      });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join(10_000);
    }
    assertThat(l.total().count()).isEqualTo(40_000);
  }
}
