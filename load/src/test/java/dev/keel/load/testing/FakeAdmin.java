package dev.keel.load.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The admin endpoint's contract ({@code GET /debug/memory}, {@code POST /debug/gc}: one flat JSON
 * object) served for a server running in this JVM, so that the load tool's integration tests read
 * the same figures a real Keel admin port gives: heap (after GC), Netty direct memory, RSS, threads,
 * fds and the server's own connection count.
 */
public final class FakeAdmin implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer http;
  private final LongSupplier connections;
  private final LongSupplier nettyDirect;
  /** The server's allocator and close counters, when the test gives them (a current Keel's contract). */
  private final dev.keel.testing.HostProbe server;
  private final long started = System.currentTimeMillis();

  private FakeAdmin(LongSupplier connections, LongSupplier nettyDirect, dev.keel.testing.HostProbe server)
      throws IOException {
    this.connections = connections;
    this.nettyDirect = nettyDirect;
    this.server = server;
    this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    http.createContext("/debug/memory", ex -> answer(ex, "GET"));
    http.createContext("/debug/gc", ex -> answer(ex, "POST"));
    http.start();
  }

  public static FakeAdmin start(LongSupplier connections, LongSupplier nettyDirect) {
    try {
      return new FakeAdmin(connections, nettyDirect, null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The whole contract for the server {@code probe} watches: also its allocator's chunk size and
   * arenas, and its close counters by reason, as keel-admin's /debug/memory gives them.
   */
  public static FakeAdmin of(dev.keel.testing.HostProbe probe) {
    try {
      return new FakeAdmin(probe::connections, () -> probe.allocator().metric().usedDirectMemory(), probe);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  private void answer(HttpExchange ex, String method) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals(method)) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      if (method.equals("POST")) {
        System.gc();
        System.gc();
      }
      byte[] body = JSON.writeValueAsBytes(memory());
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  Map<String, Object> memory() {
    Map<String, Object> m = new LinkedHashMap<>();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long afterGc = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        afterGc += pool.getCollectionUsage().getUsed();
      }
    }
    var os = (com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    m.put("timestampMs", System.currentTimeMillis());
    m.put("uptimeMs", System.currentTimeMillis() - started);
    m.put("heapUsedBytes", heap.getUsed());
    m.put("heapCommittedBytes", heap.getCommitted());
    m.put("heapMaxBytes", heap.getMax());
    m.put("heapAfterGcBytes", afterGc);
    m.put("nettyDirectBytes", nettyDirect.getAsLong());
    m.put("nettyHeapBytes", null);
    m.put("jvmDirectBytes", null);
    m.put("jvmMappedBytes", null);
    m.put("rssBytes", rss());
    m.put("threads", (long) ManagementFactory.getThreadMXBean().getThreadCount());
    m.put("platformThreads", null);
    m.put("virtualThreads", null);
    m.put("openFds", os.getOpenFileDescriptorCount());
    m.put("maxFds", os.getMaxFileDescriptorCount());
    m.put("connections", connections.getAsLong());
    m.put("queuedBytes", null);
    m.put("topics", null);
    m.put("subscriptions", null);
    m.put("gcCount", null);
    m.put("gcTimeMs", null);
    if (server != null) {
      m.put("nettyChunkBytes", server.allocator().metric().chunkSize());
      m.put("nettyDirectArenas", server.allocator().metric().numDirectArenas());
      Map<String, Long> closed = new LinkedHashMap<>();
      for (String label : server.readings().closeLabels()) {
        long n = server.readings().closed("ws", label) + server.readings().closed("tcp", label);
        if (n > 0) {
          closed.put(label, n);
        }
      }
      m.put("closed", closed);
    }
    return m;
  }

  private static Long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
