package dev.keel.it;

import dev.keel.admin.AdminOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.KeelConfig;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The dashboard's live feed without a browser: shape, cadence, token, and a server restart. */
class DashboardStreamIT {
  private static final String TOKEN = "stream-token-0123456789";

  @Test
  void streamSendsOneSnapshotPerSecondWithEveryPanelsFigures() {
    try (Running server = Servers.start(b -> b.set(AdminOptions.ADMIN_TOKEN, TOKEN));
        TcpClient client = TcpClient.connect(server.tcpPort());
        WsClient stream = WsClient.connect(server.adminPort(), "", "/admin/stream")) {
      client.send("{\"op\":\"sub\",\"topic\":\"x\"}");
      client.read();
      stream.send(TOKEN);
      JsonNode first = stream.nextJson();
      for (String key : new String[] {"t", "connections", "opened", "closed", "received", "published", "delivered",
          "dropped", "queuedBytes", "heapUsedBytes", "heapAfterGcBytes", "directBytes", "threads", "gcTimeMs",
          "gcCount", "eventLoopLagMs"}) {
        assertThat(first.has(key)).as("snapshot has %s", key).isTrue();
      }
      assertThat(first.get("connections").get("tcp").asInt()).as("the TCP client is counted").isEqualTo(1);
      assertThat(first.get("closed").size()).as("every close reason is present")
          .isEqualTo((int) java.util.Arrays.stream(dev.keel.api.CloseReason.values()).map(dev.keel.api.CloseReason::label).distinct().count());
      long previous = first.get("t").asLong();
      for (int i = 0; i < 3; i++) {
        long t = stream.nextJson().get("t").asLong();
        // The first snapshot is sent on authentication, the rest on the server's 1 s tick.
        assertThat(t - previous).as("snapshot spacing (ms)").isBetween(0L, 2000L);
        previous = t;
      }
      long start = first.get("t").asLong();
      assertThat(previous - start).as("three more ticks take about three seconds").isBetween(1500L, 5000L);
    }
  }

  @Test
  void wrongOrMissingTokenClosesTheStreamWith1008() {
    try (Running server = Servers.start(b -> b.set(AdminOptions.ADMIN_TOKEN, TOKEN));
        WsClient stream = WsClient.connect(server.adminPort(), "", "/admin/stream")) {
      stream.send("not-the-token");
      WsClient.Closed closed = stream.awaitClose(Duration.ofSeconds(10));
      assertThat(closed.code()).as("close code for a wrong token").isEqualTo(1008);
      assertThat(stream.poll()).as("no snapshot before authentication").isNull();
    }
  }

  @Test
  void aNewServerOnTheSameAdminPortStreamsAgain() throws Exception {
    int adminPort;
    try (ServerSocket free = new ServerSocket(0)) {
      adminPort = free.getLocalPort();
    }
    int port = adminPort;
    Running first = Servers.start(b -> b.set(AdminOptions.ADMIN_PORT, port));
    try (WsClient stream = WsClient.connect(port, "", "/admin/stream")) {
      stream.send("");
      assertThat(stream.nextJson().has("t")).isTrue();
      first.shutdown();
      assertThat(stream.awaitClose(Duration.ofSeconds(10))).as("the stream ends with its server").isNotNull();
    } finally {
      first.shutdown();
    }
    try (Running second = Servers.start(b -> b.set(AdminOptions.ADMIN_PORT, port));
        WsClient again = WsClient.connect(port, "", "/admin/stream")) {
      again.send("");
      assertThat(again.nextJson().get("connections").get("ws").asInt()).as("a fresh server's figures").isZero();
      assertThat(second.adminPort()).isEqualTo(port);
    }
    assertThat(KeelConfig.defaults().get(AdminOptions.ADMIN_PORT)).isEqualTo(9100);
  }
}
