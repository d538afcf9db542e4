package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (META-INF/services + junit-platform.properties): after each class,
 * collects garbage and allocates, which makes Netty's leak detector report any buffer that was
 * garbage-collected without being released, and fails if a LEAK report was logged.
 */
public final class LeakReportExtension implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    assertThat(ResourceLeakDetector.getLevel())
        .as("tests must run with -Dio.netty.leakDetection.level=paranoid")
        .isEqualTo(ResourceLeakDetector.Level.PARANOID);
    for (int round = 0; round < 3; round++) {
      System.gc();
      // The detector reports leaks when a tracked buffer is allocated: allocate a few.
      for (int i = 0; i < 64; i++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        a.release();
        b.release();
      }
    }
    assertThat(LeakReportAppender.reports())
        .as("Netty LEAK reports after " + context.getDisplayName())
        .isEmpty();
  }
}
