package dev.keel.testing;

import dev.keel.config.Ports;
import com.sun.management.HotSpotDiagnosticMXBean;
import dev.keel.api.Handler;
import dev.keel.api.Keel;
import dev.keel.config.CoreOptions;
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
  public static Server start(Handler handler, UnaryOperator<KeelConfig.Builder> tune) {
    return start(topics -> handler, tune);
  }

  /** Like {@link #start(Handler, UnaryOperator)}, with a handler made from the server's topics. */
  public static Server start(java.util.function.Function<dev.keel.api.Topics, Handler> handler,
      UnaryOperator<KeelConfig.Builder> tune) {
    HostProbe probe = new HostProbe();
    try {
      Keel keel = Keel.builder()
          .set(CoreOptions.WS_PORT, 0)
          .set(CoreOptions.TCP_PORT, 0)
          // No per-address limits: these tests open thousands of connections from loopback.
          .configure(b -> tune.apply(b.set(CoreOptions.SHUTDOWN_GRACE, Duration.ofSeconds(5))
              .set(CoreOptions.MAX_CONNECTIONS_PER_IP, 1_000_000).set(CoreOptions.CONNECT_RATE_PER_IP, 1_000_000)
              .set(CoreOptions.CONNECT_BURST_PER_IP, 1_000_000)))
          .handler(handler)
          .extension(probe)
          .build()
          .start();
      return new Server(keel, probe);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A started embedded server and what a probe sees of it. */
  public record Server(Keel keel, HostProbe probe) implements AutoCloseable {
    public int wsPort() {
      return keel.wsPort();
    }

    public int tcpPort() {
      return keel.tcpPort();
    }

    public dev.keel.api.Topics topics() {
      return keel.topics();
    }

    public int liveConnections() {
      return keel.liveConnections();
    }

    public int liveVirtualThreads() {
      return keel.liveVirtualThreads();
    }

    public int liveScopes() {
      return keel.liveScopes();
    }

    public int inboundQueueHighWater() {
      return keel.inboundQueueHighWater();
    }

    @Override
    public void close() {
      keel.close();
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
