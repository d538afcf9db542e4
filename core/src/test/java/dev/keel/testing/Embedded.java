package dev.keel.testing;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.keel.api.Handler;
import dev.keel.api.Keel;
import dev.keel.config.KeelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starts embedded servers (the public API) on free ports, and counts their threads from a thread dump. */
public final class Embedded {
  private static final Pattern THREAD_NAME = Pattern.compile("\"name\"\\s*:\\s*\"(keel-(?:handler|fork)-[^\"]*)\"");

  private Embedded() {}

  /** A started server running {@code handler}, on free WebSocket and TCP ports, {@code tune} applied. */
  public static Keel start(Handler handler, UnaryOperator<KeelConfig.Builder> tune) {
    try {
      return Keel.builder()
          .wsPort(0)
          .tcpPort(KeelConfig.ANY_FREE_PORT)
          // No admin listener (its lag probe is a scheduled task the leak checks would count), and
          // no per-address limits: these tests open thousands of connections from loopback.
          .configure(b -> tune.apply(b.shutdownGrace(Duration.ofSeconds(5)).adminPort(0)
              .maxConnectionsPerIp(1_000_000).connectRatePerIp(1_000_000).connectBurstPerIp(1_000_000)))
          .handler(handler)
          .build()
          .start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Keel's virtual threads (handler runners {@code keel-handler-*}, forked tasks {@code keel-fork-*})
   * alive in this JVM, counted from a JSON thread dump, which lists virtual threads (the classic
   * dump does not).
   */
  public static int keelVirtualThreadsInDump() {
    try {
      Path dir = Files.createTempDirectory("keel-dump");
      Path file = dir.resolve("threads.json");
      try {
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        Matcher m = THREAD_NAME.matcher(Files.readString(file));
        int n = 0;
        while (m.find()) {
          n++;
        }
        return n;
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
