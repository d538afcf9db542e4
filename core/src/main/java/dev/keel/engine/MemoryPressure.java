package dev.keel.engine;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

/**
 * What the accounting cannot see: how full the heap is after garbage collection (application state
 * in handlers, caches, leaks), and how much of the maximum direct memory the allocator has taken.
 * Either past its high threshold counts as the high stage, past its critical threshold as the shed
 * stage.
 *
 * <p>The JVM's collection-usage thresholds notify as soon as a collection leaves the heap above the
 * high threshold, and {@code onCrossing} runs then (on a JMX thread): the stage moves at once instead of
 * at the next check. The levels themselves are read at each check, from the pools' usage after their
 * last collection, which costs a few field reads.
 */
final class MemoryPressure {
  private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
  private final long maxHeap;
  private final long maxDirect;
  private final PooledByteBufAllocator allocator;
  private final int highPercent;
  private final int criticalPercent;
  private NotificationEmitter emitter;
  private NotificationListener listener;
  private int heapPercent;
  private int directPercent;
  private long heapUsed;
  private long directUsed;

  MemoryPressure(PooledByteBufAllocator allocator, int highPercent, int criticalPercent) {
    this.allocator = allocator;
    this.highPercent = highPercent;
    this.criticalPercent = criticalPercent;
    this.maxHeap = Runtime.getRuntime().maxMemory();
    this.maxDirect = PlatformDependent.maxDirectMemory();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
        heapPools.add(pool);
      }
    }
  }

  /** Arms the thresholds; {@code onCrossing} runs when a collection leaves a pool above them. */
  void listen(Runnable onCrossing) {
    for (MemoryPoolMXBean pool : heapPools) {
      long max = pool.getUsage().getMax();
      if (max > 0) {
        pool.setCollectionUsageThreshold(max * highPercent / 100);
      }
    }
    emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
    listener = (notification, handback) -> {
      if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
        onCrossing.run();
      }
    };
    emitter.addNotificationListener(listener, null, null);
  }

  void close() {
    if (emitter != null) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // never added
      }
      emitter = null;
    }
  }

  /** Reads the levels now; then {@link #high()} and {@link #critical()} answer from them. */
  void sample() {
    long used = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      MemoryUsage after = pool.getCollectionUsage();
      if (after != null) {
        used += after.getUsed();
      }
    }
    heapUsed = used;
    heapPercent = maxHeap > 0 ? (int) (used * 100 / maxHeap) : 0;
    directUsed = allocator.metric().usedDirectMemory();
    directPercent = maxDirect > 0 ? (int) (directUsed * 100 / maxDirect) : 0;
  }

  boolean high() {
    return heapPercent >= highPercent || directPercent >= highPercent;
  }

  boolean critical() {
    return heapPercent >= criticalPercent || directPercent >= criticalPercent;
  }

  /**
   * Bytes to free for the heap and direct memory to be back under their high threshold (0 when both
   * are): what a shed round driven by pressure, not by the accounting, aims at.
   */
  long excessOverHigh() {
    long heapExcess = maxHeap > 0 ? heapUsed - maxHeap / 100 * highPercent : 0;
    long directExcess = maxDirect > 0 ? directUsed - maxDirect / 100 * highPercent : 0;
    return Math.max(0, Math.max(heapExcess, directExcess));
  }

  /** Heap in use after the last collection, as a percentage of the maximum heap. */
  int heapPercent() {
    return heapPercent;
  }

  /** Direct memory the allocator holds, as a percentage of the maximum direct memory. */
  int directPercent() {
    return directPercent;
  }
}
