package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LEAK check catches a buffer dropped without release (so a silent check cannot pass for a clean run). */
class LeakReportExtensionTest {
  @Test
  void aBufferDroppedUnreleased_isReported() {
    List<String> reports = LeakReportExtension.reports();
    int before = reports.size();
    leakOne();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (reports.size() == before && System.nanoTime() < deadline) {
      System.gc();
      for (int i = 0; i < 64; i++) { // the detector reports on a later allocation
        PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
      }
    }
    assertThat(reports.size()).as("LEAK reports after dropping an unreleased buffer").isGreaterThan(before);
    assertThat(reports.get(before)).contains("LEAK: ByteBuf");
    reports.subList(before, reports.size()).clear(); // this class's own leak must not fail it
  }

  private static void leakOne() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
    leaked.writeInt(42);
  }
}
