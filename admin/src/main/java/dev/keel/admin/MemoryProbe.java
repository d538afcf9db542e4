package dev.keel.admin;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.keel.spi.Host;
import dev.keel.spi.Readings;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /debug/memory}: one cheap snapshot of what the process holds (a load tool polls it every
 * second). Reads MXBeans and /proc/self/status only: no allocation beyond the map it returns.
 */
final class MemoryProbe {
  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private final PooledByteBufAllocator allocator;
  private final Readings readings;
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();
  private final List<BufferPoolMXBean> bufferPools =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
  private final long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();

  MemoryProbe(Host host) {
    this.allocator = host.allocator();
    this.readings = host.readings();
  }

  /** The snapshot as an ordered map of flat keys (docs/operations.md lists them). */
  Map<String, Object> snapshot() {
    Map<String, Object> m = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    m.put("timestampMs", now);
    m.put("uptimeMs", now - startMillis);
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    m.put("heapUsedBytes", heap.getUsed());
    m.put("heapCommittedBytes", heap.getCommitted());
    m.put("heapMaxBytes", heap.getMax());
    m.put("heapAfterGcBytes", heapAfterLastGc());
    m.put("nettyDirectBytes", allocator.metric().usedDirectMemory());
    m.put("nettyHeapBytes", allocator.metric().usedHeapMemory());
    // The allocator grows in whole chunks per arena: a load tool sizes its direct-memory tolerance by them.
    m.put("nettyChunkBytes", allocator.metric().chunkSize());
    m.put("nettyDirectArenas", allocator.metric().numDirectArenas());
    m.put("jvmDirectBytes", bufferPool("direct"));
    m.put("jvmMappedBytes", bufferPool("mapped"));
    m.put("rssBytes", rssBytes());
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    m.put("threads", threads);
    m.put("platformThreads", threads); // ThreadMXBean counts platform threads only
    m.put("virtualThreads", null); // the JDK exposes no count of live virtual threads
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof UnixOperatingSystemMXBean unix) {
      m.put("openFds", unix.getOpenFileDescriptorCount());
      m.put("maxFds", unix.getMaxFileDescriptorCount());
    } else {
      m.put("openFds", null);
      m.put("maxFds", null);
    }
    long connections = 0;
    for (String t : readings.transports()) {
      connections += readings.connections(t);
    }
    m.put("connections", connections);
    m.put("closed", closedByReason());
    m.put("queuedBytes", readings.queuedBytes());
    m.put("topics", readings.topics());
    m.put("subscriptions", readings.subscriptions());
    long gcCount = 0;
    long gcTime = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcTime += Math.max(0, gc.getCollectionTime());
    }
    m.put("gcCount", gcCount);
    m.put("gcTimeMs", gcTime);
    return m;
  }

  /**
   * Connections ended or refused since start, by reason label, both transports together (only the
   * reasons that happened): how a load tool learns that the server refused its connects
   * ({@code connect_rate}, {@code ip_limit}, {@code server_full}) instead of guessing.
   */
  private Map<String, Long> closedByReason() {
    Map<String, Long> closed = new LinkedHashMap<>();
    for (String label : readings.closeLabels()) {
      long n = 0;
      for (String t : readings.transports()) {
        n += readings.closed(t, label);
      }
      if (n > 0) {
        closed.put(label, n);
      }
    }
    return closed;
  }

  /** Heap in use right after the last collection of each heap pool (null before the first GC). */
  private Long heapAfterLastGc() {
    long sum = 0;
    boolean any = false;
    for (MemoryPoolMXBean p : heapPools) {
      MemoryUsage u = p.getCollectionUsage();
      if (u != null) {
        sum += u.getUsed();
        any = true;
      }
    }
    return any ? sum : null;
  }

  private Long bufferPool(String name) {
    for (BufferPoolMXBean b : bufferPools) {
      if (b.getName().equals(name)) {
        return b.getMemoryUsed();
      }
    }
    return null;
  }

  /** VmRSS from /proc/self/status, or null off Linux. */
  static Long rssBytes() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
