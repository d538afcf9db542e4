package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (META-INF/services + junit-platform.properties): listens to Netty's
 * buffer leak detector, and after each class collects garbage and allocates, which makes the detector
 * report any buffer that was garbage-collected without being released; any report fails the class.
 *
 * <p>It listens on the detector itself ({@code ResourceLeakDetector.LeakListener}), not on a log, so
 * it holds whatever logging binding a module's tests use (keel-core's use none of logback's).
 */
public final class LeakReportExtension implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
  private static volatile boolean listening;

  @Override
  public void beforeAll(ExtensionContext context) {
    listen();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context.getDisplayName());
  }

  /**
   * Collects garbage, makes the detector report, and fails on any report: for a container the JUnit
   * extension does not see (jqwik's, through {@code JqwikChecks}).
   */
  public static void check(String displayName) {
    listen();
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
    assertThat(REPORTS).as("Netty LEAK reports after " + displayName).isEmpty();
  }

  /** The reports so far (for a test of the check itself). */
  static List<String> reports() {
    return REPORTS;
  }

  public static synchronized void listen() {
    if (listening) {
      return;
    }
    try {
      // Every ByteBuf (pooled, unpooled, composite) is tracked by this one detector.
      Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
      f.setAccessible(true);
      ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
      detector.setLeakListener((resourceType, records) -> REPORTS.add("LEAK: " + resourceType + "\n" + records));
      listening = true;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot listen to Netty's buffer leak detector", e);
    }
  }
}
