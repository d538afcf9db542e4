package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.RateLimitPolicy;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every per-connection bound refuses or slows the one who crosses it, and only that one. */
class LimitsIT {
  private Running server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void oversizedWebSocketMessageIsClosedWith1009() {
    server = Servers.start(b -> b.set(CoreOptions.MAX_MESSAGE_SIZE, 1024));
    try (WsClient ws = WsClient.connect(server.wsPort()); WsClient other = WsClient.connect(server.wsPort())) {
      ws.send("{\"op\":\"echo\",\"data\":\"" + "x".repeat(2048) + "\"}");
      WsClient.Closed closed = ws.awaitClose(Duration.ofSeconds(10));
      assertThat(closed.code()).as("close code for an oversized message").isEqualTo(1009);
      other.send("{\"op\":\"ping\"}");
      assertThat(other.next()).as("another client is unaffected").isEqualTo("{\"op\":\"pong\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> server.closed(CloseReason.TOO_LARGE) == 1);
    }
  }

  @Test
  void oversizedTcpFrameGetsTooLargeThenClose() {
    server = Servers.start(b -> b.set(CoreOptions.MAX_MESSAGE_SIZE, 1024));
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.sendRaw(ByteBuffer.allocate(4).putInt(1025).array());
      JsonNode e = tcp.readJson();
      assertThat(e.get("op").asText()).isEqualTo("error");
      assertThat(e.get("code").asText()).as("error code").isEqualTo("too_large");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).as("socket closed after too_large").isTrue();
    }
  }

  @Test
  void floodingClientIsSlowedToTheConfiguredRateAndLosesNothing() {
    int rate = 50;
    int burst = 10;
    int total = 110;
    server = Servers.start(b -> b.set(CoreOptions.RATE_LIMIT, rate).set(CoreOptions.RATE_BURST, burst));
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      ByteBuffer flood = ByteBuffer.allocate(total * 64);
      for (int i = 0; i < total; i++) {
        byte[] m = ("{\"op\":\"echo\",\"data\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        flood.putInt(m.length).put(m);
      }
      byte[] bytes = new byte[flood.position()];
      flood.flip().get(bytes);
      long start = System.nanoTime();
      tcp.sendRaw(bytes); // all at once, as fast as the socket takes them
      for (int i = 0; i < total; i++) {
        assertThat(tcp.readJson().get("data").asInt()).as("reply %d in order", i).isEqualTo(i);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double floor = (total - burst) / (double) rate; // the bucket cannot let them through faster
      assertThat(seconds).as("%d messages at %d/s after a burst of %d take at least %.2fs", total, rate, burst, floor)
          .isGreaterThanOrEqualTo(floor * 0.95);
      // How many waited for a token depends on how fast the server got to read them (a busy machine reads
      // the flood in pieces while the bucket refills); that some did is what the limiter owes.
      assertThat(server.rateLimited()).as("messages held back by the limiter").isPositive();
      tcp.send("{\"op\":\"ping\"}");
      assertThat(tcp.read()).as("the throttled connection is still open").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  @Test
  void disconnectRatePolicyClosesTheFlooderWith1008() {
    server = Servers.start(b -> b.set(CoreOptions.RATE_LIMIT, 5).set(CoreOptions.RATE_BURST, 5).set(CoreOptions.RATE_LIMIT_POLICY, RateLimitPolicy.DISCONNECT));
    try (WsClient ws = WsClient.connect(server.wsPort())) {
      for (int i = 0; i < 20 && !ws.isClosed(); i++) {
        try {
          ws.send("{\"op\":\"ping\"}");
        } catch (RuntimeException closedMeanwhile) {
          break;
        }
      }
      WsClient.Closed closed = ws.awaitClose(Duration.ofSeconds(10));
      assertThat(closed.code()).as("close code").isEqualTo(1008);
      assertThat(closed.reason()).as("close reason").isEqualTo("rate limit");
    }
  }

  @Test
  void maxConnectionsRefusesTheExtraOneOnBothTransports() {
    server = Servers.start(b -> b.set(CoreOptions.MAX_CONNECTIONS, 3));
    List<AutoCloseable> open = new ArrayList<>();
    try {
      open.add(WsClient.connect(server.wsPort()));
      open.add(WsClient.connect(server.wsPort()));
      TcpClient third = TcpClient.connect(server.tcpPort());
      open.add(third);
      third.send("{\"op\":\"ping\"}");
      assertThat(third.read()).isEqualTo("{\"op\":\"pong\"}");
      assertThatThrownBy(() -> WsClient.connect(server.wsPort()))
          .as("fourth WebSocket handshake is refused")
          .rootCause().hasMessageContaining("503");
      try (TcpClient extra = TcpClient.connect(server.tcpPort())) {
        assertThat(extra.awaitClosed(Duration.ofSeconds(10))).as("fourth TCP connection closed at once").isTrue();
      }
      assertThat(server.closed(CloseReason.SERVER_FULL)).as("refusals counted").isEqualTo(2);
      third.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.reserved() == 2);
      try (WsClient again = WsClient.connect(server.wsPort())) {
        again.send("{\"op\":\"ping\"}");
        assertThat(again.next()).as("a freed slot admits a new client").isEqualTo("{\"op\":\"pong\"}");
      }
    } finally {
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception ignored) {
          // already closed
        }
      }
    }
  }

  @Test
  void maxSubscriptionsRefusesTheExtraOne() {
    server = Servers.start(b -> b.set(CoreOptions.MAX_SUBSCRIPTIONS, 3));
    try (WsClient ws = WsClient.connect(server.wsPort())) {
      for (String t : List.of("a", "b", "c")) {
        ws.send("{\"op\":\"sub\",\"topic\":\"" + t + "\"}");
        assertThat(ws.nextJson().get("op").asText()).isEqualTo("subscribed");
      }
      ws.send("{\"op\":\"sub\",\"topic\":\"d\",\"id\":9}");
      JsonNode e = ws.nextJson();
      assertThat(e.get("code").asText()).as("fourth subscription").isEqualTo("limit_exceeded");
      assertThat(e.get("id").asInt()).isEqualTo(9);
      ws.send("{\"op\":\"sub\",\"topic\":\"a\"}");
      assertThat(ws.nextJson().get("op").asText()).as("re-subscribing an existing topic is fine").isEqualTo("subscribed");
      ws.send("{\"op\":\"unsub\",\"topic\":\"b\"}");
      ws.nextJson();
      ws.send("{\"op\":\"sub\",\"topic\":\"d\"}");
      assertThat(ws.nextJson().get("op").asText()).as("after an unsub there is room").isEqualTo("subscribed");
      assertThat(server.subscriptionCount()).isEqualTo(3);
    }
  }
}
