package dev.keel.load.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One reading of the server's resources. A figure the source cannot give is null: {@code /proc} has
 * no heap figures, and the JDK may not know some of them either. {@code closed} is the server's count
 * of connections ended or refused since it started, by reason ({@code connect_rate}, {@code ip_limit},
 * ...): how the tool names why its connects were refused.
 *
 * <p>Usage: {@code MemorySample s = probe.sample(); if (s.heapAfterGcBytes() != null) ...}
 */
public record MemorySample(
    long takenAtMs,
    String source,
    Long heapUsedBytes,
    Long heapCommittedBytes,
    Long heapAfterGcBytes,
    Long nettyDirectBytes,
    Long jvmDirectBytes,
    Long rssBytes,
    Long threads,
    Long openFds,
    Long connections,
    Long queuedBytes,
    Long topics,
    Long subscriptions,
    Long gcCount,
    Long nettyChunkBytes,
    Long nettyDirectArenas,
    Map<String, Long> closed) {

  /** Reads the flat object that {@code GET /debug/memory} answers. */
  static MemorySample fromAdminJson(long takenAtMs, JsonNode n) {
    return new MemorySample(takenAtMs, "admin", num(n, "heapUsedBytes"), num(n, "heapCommittedBytes"),
        num(n, "heapAfterGcBytes"), num(n, "nettyDirectBytes"), num(n, "jvmDirectBytes"), num(n, "rssBytes"),
        num(n, "threads"), num(n, "openFds"), num(n, "connections"), num(n, "queuedBytes"), num(n, "topics"),
        num(n, "subscriptions"), num(n, "gcCount"), num(n, "nettyChunkBytes"), num(n, "nettyDirectArenas"),
        counts(n.get("closed")));
  }

  private static Map<String, Long> counts(JsonNode n) {
    if (n == null || !n.isObject()) {
      return null; // a server that does not say (an older one)
    }
    Map<String, Long> m = new LinkedHashMap<>();
    n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asLong()));
    return m;
  }

  static MemorySample fromProc(long takenAtMs, Long rssBytes, Long threads, Long openFds) {
    return new MemorySample(takenAtMs, "proc", null, null, null, null, null, rssBytes, threads, openFds,
        null, null, null, null, null, null, null, null);
  }

  private static Long num(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v != null && v.isNumber() ? v.asLong() : null;
  }

  /**
   * Heap figure for leak checks: heap after GC when the server gives it, else heap used (which,
   * right after a requested full GC, is the same thing).
   */
  public Long heapForLeakCheck() {
    return heapAfterGcBytes != null ? heapAfterGcBytes : heapUsedBytes;
  }

  /** Direct memory for leak checks: Netty's own count when given, else the JVM's direct pool. */
  public Long directForLeakCheck() {
    return nettyDirectBytes != null ? nettyDirectBytes : jvmDirectBytes;
  }
}
