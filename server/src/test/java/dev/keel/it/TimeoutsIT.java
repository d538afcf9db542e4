package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deadlines close dead, silent and half-open peers; live ones stay. */
class TimeoutsIT {
  private Running server;

  @BeforeEach
  void start() {
    server = Servers.start(b -> b
        .set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(200))
        .set(CoreOptions.IDLE_TIMEOUT, Duration.ofMillis(800))
        .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofMillis(500)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void silentTcpPeerGetsHeartbeatsThenIsClosedAsIdle() {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"sub\",\"topic\":\"quiet\"}");
      tcp.read();
      JsonNode e = tcp.readJson(); // skips heartbeats; the next real frame is the goodbye
      assertThat(e.get("code").asText()).as("error before the idle close").isEqualTo("idle_timeout");
      assertThat(tcp.heartbeats()).as("server heartbeats seen before the idle close").isGreaterThanOrEqualTo(1);
      assertThat(tcp.awaitClosed(Duration.ofSeconds(5))).as("closed").isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.topicCount() == 0
        && server.closed(CloseReason.IDLE_TIMEOUT) == 1);
  }

  @Test
  void tcpPeerSendingHeartbeatsStaysOpen() {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      long until = System.nanoTime() + Duration.ofMillis(2400).toNanos(); // three idle timeouts
      while (System.nanoTime() < until) {
        tcp.heartbeat();
        tcp.send("{\"op\":\"ping\"}");
        assertThat(tcp.read()).as("still served").isEqualTo("{\"op\":\"pong\"}");
      }
      assertThat(server.closed(CloseReason.IDLE_TIMEOUT)).as("no idle close").isZero();
    }
  }

  @Test
  void webSocketPeerThatStopsAnsweringPingsIsClosedWith1001() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
      // Never answers: the server's pings go unanswered, no byte arrives, the idle timeout fires.
      int pings = 0;
      while (true) {
        RawWebSocket.Frame f = raw.readFrame();
        if (f.opcode() == 0x9) {
          pings++;
        } else if (f.opcode() == 0x8) {
          assertThat(f.closeCode()).as("close code for an unresponsive peer").isEqualTo(1001);
          break;
        }
      }
      assertThat(pings).as("pings sent before giving up").isGreaterThanOrEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closed(CloseReason.IDLE_TIMEOUT) == 1);
  }

  @Test
  void webSocketPeerThatAnswersPingsStaysOpen() {
    try (WsClient ws = WsClient.connect(server.wsPort())) { // the JDK client answers pings by itself
      await().during(Duration.ofMillis(2400)).atMost(Duration.ofSeconds(4))
          .until(() -> !ws.isClosed());
      ws.send("{\"op\":\"ping\"}");
      assertThat(ws.next()).as("still served after three idle timeouts").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  @Test
  void connectionThatNeverUpgradesIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.wsPort())) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      assertThat(in.read()).as("server closed the silent HTTP connection").isEqualTo(-1);
    }
    await().atMost(Duration.ofSeconds(5))
        .until(() -> server.closed(CloseReason.HANDSHAKE_TIMEOUT) == 1);
  }

  @Test
  void tcpConnectionWithoutAFirstFrameIsClosedAfterTheHandshakeTimeout() {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      assertThat(tcp.readJson().get("code").asText()).as("error before close").isEqualTo("handshake_timeout");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(5))).isTrue();
    }
  }
}
