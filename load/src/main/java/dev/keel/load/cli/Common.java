package dev.keel.load.cli;

import dev.keel.load.client.Target;
import dev.keel.load.client.Transport;
import dev.keel.load.measure.Thresholds;
import dev.keel.load.scenario.Settings;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Option;

/** The options every scenario takes: target, server figures, pacing, bounds, reports, verdict thresholds. */
final class Common {
  /** File descriptors kept back from --max-fds for the JVM, the admin client and the reports. */
  static final int FD_RESERVE = 256;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server address; loopback only. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--ws-port", defaultValue = "8080", description = "Server WebSocket/HTTP port. Default: ${DEFAULT-VALUE}.")
  int wsPort;

  @Option(names = "--tcp-port", defaultValue = "9090", description = "Server framed-TCP port. Default: ${DEFAULT-VALUE}.")
  int tcpPort;

  @Option(names = "--transport", defaultValue = "ws", description = "ws or tcp. Default: ${DEFAULT-VALUE}.",
      converter = TransportConverter.class)
  Transport transport;

  @Option(names = "--admin-url", defaultValue = "http://127.0.0.1:9100",
      description = "Server admin endpoint (GET /debug/memory, POST /debug/gc); 'none' to skip. Default: ${DEFAULT-VALUE}.")
  String adminUrl;

  @Option(names = "--admin-token", description = "Bearer token for the admin endpoint.")
  String adminToken;

  @Option(names = "--server-pid", description = "Server process id: read /proc/PID when the admin endpoint is absent.")
  Long serverPid;

  @Option(names = "--io-threads", defaultValue = "1", description = "Client event loop threads. Default: ${DEFAULT-VALUE}.")
  int ioThreads;

  @Option(names = "--source-addresses", defaultValue = "16",
      description = "Spread connections over 127.0.0.2 .. 127.0.0.(N+1) (ephemeral ports per address). Default: ${DEFAULT-VALUE}.")
  int sourceAddresses;

  @Option(names = "--sample-interval", defaultValue = "1s", converter = Units.DurationConverter.class,
      description = "How often the server and the counters are sampled. Default: ${DEFAULT-VALUE}.")
  Duration sampleInterval;

  @Option(names = "--settle", defaultValue = "15s", converter = Units.DurationConverter.class,
      description = "After the clients have gone, how long to wait for the server to count zero connections. Default: ${DEFAULT-VALUE}.")
  Duration settle;

  @Option(names = "--connect-timeout", defaultValue = "10s", converter = Units.DurationConverter.class,
      description = "How long one connection (and its upgrade) may take. Default: ${DEFAULT-VALUE}.")
  Duration connectTimeout;

  @Option(names = "--max-fds", defaultValue = "20000",
      description = "File descriptors this process may use; connections are refused beyond it minus " + FD_RESERVE
          + ". Default: ${DEFAULT-VALUE}.")
  int maxFds;

  @Option(names = "--max-inflight-connects", defaultValue = "256",
      description = "Connections being opened at once. Default: ${DEFAULT-VALUE}.")
  int maxInflightConnects;

  @Option(names = "--out", defaultValue = "keel-load-reports",
      description = "Directory for the JSON summary and HTML report. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--json", description = "JSON summary file (default: OUT/SCENARIO-TIME.json).")
  Path json;

  @Option(names = "--html", description = "HTML report file (default: OUT/SCENARIO-TIME.html).")
  Path html;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  @Option(names = "--max-heap-growth", defaultValue = "16MiB", converter = Units.SizeConverter.class,
      description = "Verdict: heap after GC may end this much above the baseline. Default: ${DEFAULT-VALUE}.")
  long maxHeapGrowth;

  @Option(names = "--max-direct-growth", defaultValue = "auto", converter = Units.SizeOrAutoConverter.class,
      description = "Verdict: direct memory likewise; auto: one chunk per arena of the server's allocator and half a"
          + " chunk (18MiB when the server does not say). Default: ${DEFAULT-VALUE}.")
  long maxDirectGrowth;

  @Option(names = "--max-thread-growth", defaultValue = "4", description = "Verdict: server threads likewise. Default: ${DEFAULT-VALUE}.")
  long maxThreadGrowth;

  @Option(names = "--max-fd-growth", defaultValue = "16", description = "Verdict: server open fds likewise. Default: ${DEFAULT-VALUE}.")
  long maxFdGrowth;

  @Option(names = "--max-connections-left", defaultValue = "0",
      description = "Verdict: connections the server may still count at the end. Default: ${DEFAULT-VALUE}.")
  long maxConnectionsLeft;

  @Option(names = "--max-slope", defaultValue = "8MiB", converter = Units.SizeConverter.class,
      description = "Verdict: growth of heap after GC per minute (RSS without heap figures). Default: ${DEFAULT-VALUE}.")
  long maxSlope;

  @Option(names = "--max-slope-per-1000", defaultValue = "1MiB", converter = Units.SizeConverter.class,
      description = "Verdict (churn): growth per 1,000 connection lifetimes. Default: ${DEFAULT-VALUE}.")
  long maxSlopePer1000;

  @Option(names = "--min-slope-window", defaultValue = "60s", converter = Units.DurationConverter.class,
      description = "Verdict: the slope is judged only when fitted over at least this long. Default: ${DEFAULT-VALUE}.")
  Duration minSlopeWindow;

  @Option(names = "--warmup", defaultValue = "0.2",
      description = "Verdict: fraction of the run left out of the slope fit. Default: ${DEFAULT-VALUE}.")
  double warmup;

  /** Validates and builds the settings; throws IllegalArgumentException naming the bad value. */
  Settings settings(String scenario, Duration duration, int plannedConnections) {
    Target target = Target.loopback(host, wsPort, tcpPort);
    URI admin = adminUrl == null || adminUrl.isBlank() || adminUrl.equals("none") ? null
        : Target.requireLoopback(URI.create(adminUrl), "--admin-url");
    require(ioThreads >= 1 && ioThreads <= 64, "--io-threads must be 1..64, was " + ioThreads);
    require(sourceAddresses >= 0 && sourceAddresses <= 250, "--source-addresses must be 0..250, was " + sourceAddresses);
    require(duration.compareTo(Duration.ZERO) > 0 && duration.compareTo(Duration.ofDays(7)) <= 0,
        "--duration must be > 0 and at most 7 days, was " + duration);
    require(sampleInterval.toMillis() >= 100, "--sample-interval must be at least 100ms, was " + sampleInterval);
    require(maxInflightConnects >= 1, "--max-inflight-connects must be at least 1, was " + maxInflightConnects);
    long osMax = osMaxFds();
    int fds = (int) Math.min(maxFds, osMax);
    int maxConnections = fds - FD_RESERVE;
    require(plannedConnections <= maxConnections, "this run needs " + plannedConnections
        + " connections, but only " + maxConnections + " fit in " + fds + " file descriptors (--max-fds "
        + maxFds + ", process limit " + osMax + ", " + FD_RESERVE + " kept back)");
    Thresholds thresholds = new Thresholds(maxHeapGrowth, maxDirectGrowth, maxThreadGrowth, maxFdGrowth,
        maxConnectionsLeft, maxSlope, maxSlopePer1000, minSlopeWindow.toMillis() / 1000.0, warmup);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path jsonOut = json != null ? json : out.resolve(scenario + "-" + stamp + ".json");
    Path htmlOut = html != null ? html : out.resolve(scenario + "-" + stamp + ".html");
    return new Settings(scenario, target, transport, admin, adminToken, serverPid, ioThreads, sourceAddresses, duration,
        sampleInterval, settle, connectTimeout, maxConnections, maxInflightConnects, thresholds, jsonOut, htmlOut, quiet);
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static long osMaxFds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      return os.getMaxFileDescriptorCount();
    }
    return Integer.MAX_VALUE;
  }

  static final class TransportConverter implements picocli.CommandLine.ITypeConverter<Transport> {
    @Override
    public Transport convert(String value) {
      return switch (value.toLowerCase(java.util.Locale.ROOT)) {
        case "ws", "websocket" -> Transport.WS;
        case "tcp" -> Transport.TCP;
        default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "': use ws or tcp");
      };
    }
  }
}
