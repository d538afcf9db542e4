package dev.keel.load.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.KeelConfig;
import dev.keel.serve.PubSubServer;
import dev.keel.testing.HostProbe;
import dev.keel.admin.AdminOptions;
import dev.keel.config.Ports;
import dev.keel.load.testing.FakeAdmin;
import dev.keel.load.testing.LoadRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario, briefly, against a real Keel server in this JVM with short timeouts and small
 * socket buffers (so that idle and stalled peers are ended within seconds, by the write timeout, while
 * fast ones have queue room to spare on a busy machine); each run's JSON summary
 * is checked. Server figures come from {@link FakeAdmin}, which serves the /debug/memory contract.
 */
class ScenariosIT {
  static PubSubServer server;
  static final HostProbe probe = new HostProbe();
  static FakeAdmin admin;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws InterruptedException {
    server = PubSubServer.start(PubSubServer.config()
        .set(AdminOptions.ADMIN_PORT, Ports.OFF)
        .set(dev.keel.serve.ServeOptions.WARMUP, java.time.Duration.ZERO)
        .set(CoreOptions.WS_PORT, 0)
        .set(CoreOptions.TCP_PORT, 0)
        .set(CoreOptions.MAX_MESSAGE_SIZE, 4 * 1024)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 256 * 1024)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024)
        .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofSeconds(1))
        .set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(500))
        .set(CoreOptions.IDLE_TIMEOUT, Duration.ofSeconds(2))
        .set(CoreOptions.WRITE_TIMEOUT, Duration.ofSeconds(3)) // a loaded CI machine with paranoid leak detection pauses readers for a second
        .set(CoreOptions.CLOSE_TIMEOUT, Duration.ofMillis(500))
        .set(CoreOptions.SHUTDOWN_GRACE, Duration.ofSeconds(2))
        .build(), probe);
    admin = FakeAdmin.start(probe::connections, () -> probe.allocator().metric().usedDirectMemory());
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private LoadRun run(String scenario, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(scenario,
        "--ws-port", Integer.toString(server.wsPort()), "--tcp-port", Integer.toString(server.tcpPort()),
        "--admin-url", admin.url(), "--settle", "5s", "--sample-interval", "200ms",
        // The tool runs in the server's JVM here: its own virtual-thread carriers and HTTP client threads count.
        "--max-thread-growth", "16"));
    all.addAll(List.of(args));
    return LoadRun.run(dir, all.toArray(String[]::new));
  }

  private static void assertFlat(LoadRun r) {
    assertThat(r.exit()).as(r.describe()).isZero();
    assertThat(r.summary().path("verdict").path("result").asText()).as(r.describe()).isEqualTo("FLAT");
    assertThat(r.summary().path("serverFigures").asText()).isEqualTo("admin");
    assertThat(r.summary().path("gcRequested").path("end").asBoolean()).isTrue();
  }

  @Test
  void idle_websocket_holdsEveryConnectionAndReportsMemoryPerConnection() throws Exception {
    LoadRun r = run("idle", "-n", "40", "--topics", "4", "--duration", "2500ms");
    assertFlat(r);
    JsonNode res = r.results();
    assertThat(res.path("connections").asInt()).isEqualTo(40);
    assertThat(res.path("connectionsLostWhileIdle").asInt()).as("heartbeats answered past the 2 s idle timeout").isZero();
    assertThat(res.path("perConnection").path("heapAfterGcBytesPerConnection").isNumber()).as(r.describe()).isTrue();
    assertThat(res.path("perConnection").path("serverConnections").asLong()).isEqualTo(40);
    assertThat(r.summary().path("clients").path("endings").path("client close").asLong()).isEqualTo(40);
    assertThat(r.summary().path("server").path("end").path("connections").asLong()).isZero();
  }

  @Test
  void idle_tcp_holdsEveryConnection() throws Exception {
    LoadRun r = run("idle", "--transport", "tcp", "-n", "30", "--duration", "2500ms");
    assertFlat(r);
    assertThat(r.results().path("connections").asInt()).isEqualTo(30);
    assertThat(r.results().path("connectionsLostWhileIdle").asInt()).isZero();
  }

  @Test
  void broadcast_fastGetEveryMessageInOrder_andStalledAreCutOff() throws Exception {
    LoadRun r = run("broadcast", "-n", "20", "--stalled", "4", "--slow", "2", "--slow-read-rate", "4KiB",
        "-p", "2", "-r", "100", "-b", "512", "--duration", "3s", "--warmup-time", "1s");
    assertFlat(r);
    JsonNode res = r.results();
    assertThat(res.path("warmupSeconds").asDouble()).isEqualTo(1.0);
    assertThat(res.path("published").asLong()).as("the 3 s measured, not the warm-up: " + r.describe())
        .isBetween(250L, 310L);
    assertThat(r.summary().path("clients").path("sent").asLong()).as("warm-up messages were sent too")
        .isGreaterThan(res.path("published").asLong() + 50);
    // No loss is proven by the seq check; the ratio may be off by the messages that straddle the end
    // of the warm-up (published in it, received after it, or the reverse): one per publisher.
    assertThat(res.path("deliveredRatio").asDouble()).as(r.describe())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(2.0 / res.path("published").asLong()));
    assertThat(res.path("fastSeqGaps").asLong()).isZero();
    assertThat(res.path("fastDisconnected").asLong()).isZero();
    assertThat(res.path("stalledCutByServer").asLong()).as(r.describe()).isEqualTo(4);
    assertThat(res.path("slowDelivered").asLong()).as("slow readers read some").isPositive();
    assertThat(res.path("fastLatencyMs").path("count").asLong()).isEqualTo(res.path("expectedDeliveries").asLong());
    assertThat(r.summary().path("timeSeries").size()).isGreaterThan(5);
  }

  @Test
  void broadcast_tcp_fastGetEveryMessage() throws Exception {
    LoadRun r = run("broadcast", "--transport", "tcp", "-n", "10", "-r", "50", "--duration", "2s");
    assertFlat(r);
    assertThat(r.results().path("deliveredRatio").asDouble()).as(r.describe()).isEqualTo(1.0);
    assertThat(r.results().path("fastSeqGaps").asLong()).isZero();
  }

  @Test
  void churn_everyWayOfEndingHappens_andTheServerReturnsToBaseline() throws Exception {
    LoadRun r = run("churn", "-n", "40", "--lifetime", "100ms..500ms", "--duration", "10s", "--silent-limit", "4s",
        "--stall-limit", "5s", "--stall-rate", "50", "--topics", "5");
    assertFlat(r);
    JsonNode res = r.results();
    assertThat(res.path("lifetimes").asLong()).as(r.describe()).isGreaterThan(80);
    JsonNode endings = r.summary().path("clients").path("endings");
    assertThat(endings.path("client close").asLong()).as(r.describe()).isPositive();
    assertThat(endings.path("client reset").asLong()).isPositive();
    assertThat(endings.path("server close 1001 idle timeout").asLong()).as(r.describe()).isPositive();
    assertThat(endings.path("closed by server").asLong()).as("stalled ones, cut without a close frame they could read")
        .isPositive();
    assertThat(res.path("silentNotEndedByServer").asLong()).as(r.describe()).isZero();
    assertThat(res.path("stalledNotCutByServer").asLong()).as(r.describe()).isZero();
    assertThat(r.summary().path("server").path("end").path("connections").asLong()).isZero();
  }

  @Test
  void abuse_everyProbeGetsTheDocumentedAnswer_andTheServerStaysUp() throws Exception {
    LoadRun r = run("abuse", "--max-message-size", "4KiB", "--flood", "600", "--probe-timeout", "5s");
    assertFlat(r);
    JsonNode res = r.results();
    assertThat(res.path("serverStayedUp").asBoolean()).isTrue();
    assertThat(res.path("probes").size()).isEqualTo(9);
    assertThat(res.path("unexpectedAnswers").asInt()).as(r.describe()).isZero();
  }

  @Test
  void abuse_tcp_everyProbeGetsTheDocumentedAnswer() throws Exception {
    LoadRun r = run("abuse", "--transport", "tcp", "--max-message-size", "4KiB", "--flood", "600",
        "--probe-timeout", "5s");
    assertFlat(r);
    assertThat(r.results().path("probes").size()).isEqualTo(8);
    assertThat(r.results().path("unexpectedAnswers").asInt()).as(r.describe()).isZero();
  }

  @Test
  void ramp_raisesTheRateStepByStep_andReportsTheHighestThatHeld() throws Exception {
    LoadRun r = run("ramp", "-n", "20", "--stalled", "2", "--start-rate", "20", "--step-factor", "2",
        "--max-steps", "3", "--step-duration", "1s", "--max-rate", "1000",
        // CI machines are slow and the test JVM tracks every buffer: the smoke checks the stepping, not the figure.
        "--p99-limit", "5s");
    assertFlat(r);
    JsonNode res = r.results();
    assertThat(res.path("steps").size()).as(r.describe()).isEqualTo(3);
    assertThat(res.path("steps").get(1).path("rate").asLong()).isEqualTo(40);
    assertThat(res.path("highestHeldRate").asLong()).as(r.describe()).isEqualTo(80);
    assertThat(res.path("stoppedBy").asText()).isEqualTo("max steps");
  }

  @Test
  void report_html_isSelfContainedWithChartsAndVerdict() throws Exception {
    LoadRun r = run("broadcast", "-n", "5", "-r", "20", "--duration", "1500ms");
    assertThat(r.html()).as(r.describe()).contains("<svg").contains("Verdict: FLAT").contains("Server memory")
        .contains("Connections").contains("Latency").contains("Deliveries per second").contains("Drops per second");
    assertThat(r.html()).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link")
        .doesNotContain("url(");
  }
}
