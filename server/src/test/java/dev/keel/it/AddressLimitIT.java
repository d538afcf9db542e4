package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.Http;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Per-address limits under a reconnect storm: the storm is refused, everyone else is served. */
class AddressLimitIT {
  @Test
  void reconnectStormOfTwoThousandAttemptsIsRefusedWhileExistingClientsAreServed() throws Exception {
    InetAddress stormer = InetAddress.getByName("127.0.0.77");
    try (Running server = Servers.start(b -> b.set(CoreOptions.MAX_CONNECTIONS_PER_IP, 100).set(CoreOptions.CONNECT_RATE_PER_IP, 20).set(CoreOptions.CONNECT_BURST_PER_IP, 50));
        TcpClient existing = TcpClient.connect(server.tcpPort(), InetAddress.getByName("127.0.0.5"), 0);
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      existing.send("{\"op\":\"ping\"}");
      existing.read();
      AtomicBoolean storming = new AtomicBoolean(true);
      AtomicInteger attempts = new AtomicInteger();
      List<Future<?>> storm = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        storm.add(pool.submit(() -> {
          while (attempts.incrementAndGet() <= 2000) {
            try (TcpClient c = TcpClient.connect(server.tcpPort(), stormer, 0)) {
              c.heartbeat(); // a refused one is closed at once; an admitted one leaves again
            } catch (RuntimeException refusedMidWrite) {
              // closed by the server before the write: that is the refusal
            }
          }
          return null;
        }));
      }
      int pings = 0;
      while (storm.stream().anyMatch(f -> !f.isDone())) {
        existing.send("{\"op\":\"ping\",\"id\":" + pings + "}");
        assertThat(existing.readJson().get("id").asInt()).as("existing client served during the storm").isEqualTo(pings);
        pings++;
      }
      for (Future<?> f : storm) {
        f.get(60, TimeUnit.SECONDS);
      }
      storming.set(false);
      long refused = server.closed("tcp", CloseReason.CONNECT_RATE);
      assertThat(refused).as("attempts refused for connecting too fast").isPositive();
      assertThat(server.readings().opened("tcp")).as("admitted: the burst plus what the rate allows")
          .isLessThan(2000);
      assertThat(pings).as("pings answered during the storm").isPositive();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.openFrom(stormer) == 0);
    }
  }

  @Test
  void maxConnectionsPerIpRefusesTheExtraWebSocketWith503AndTcpAtOnce() {
    try (Running server = Servers.start(b -> b.set(CoreOptions.MAX_CONNECTIONS_PER_IP, 2).set(CoreOptions.CONNECT_RATE_PER_IP, 1000).set(CoreOptions.CONNECT_BURST_PER_IP, 1000));
        WsClient a = WsClient.connect(server.wsPort());
        TcpClient b = TcpClient.connect(server.tcpPort())) {
      b.send("{\"op\":\"ping\"}");
      b.read();
      assertThatThrownBy(() -> WsClient.connect(server.wsPort())).as("third connection, WebSocket")
          .rootCause().hasMessageContaining("503");
      try (TcpClient c = TcpClient.connect(server.tcpPort())) {
        assertThat(c.awaitClosed(Duration.ofSeconds(10))).as("third connection, TCP, closed at once").isTrue();
      }
      HttpResponse<String> health = Http.get(server.wsPort(), "/healthz");
      assertThat(health.statusCode()).as("plain HTTP from the same address is refused too").isEqualTo(503);
      assertThat(server.closed(CloseReason.IP_LIMIT)).isEqualTo(3);
      a.send("{\"op\":\"ping\"}");
      assertThat(a.next()).as("admitted clients keep working").isEqualTo("{\"op\":\"pong\"}");
    }
  }
  // ------------------------------------------------------------------ finding 8: limits say what they count

  @Test
  void refusalsName_theAddressCounted_andTheLimit() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.MAX_CONNECTIONS_PER_IP, 2)
        .set(CoreOptions.CONNECT_RATE_PER_IP, 1000).set(CoreOptions.CONNECT_BURST_PER_IP, 1000));
        WsClient a = WsClient.connect(server.wsPort()); WsClient b = WsClient.connect(server.wsPort())) {
      assertThat(a.isClosed() || b.isClosed()).as("two connections held").isFalse();
      String refused = freshGet(server.wsPort());
      assertThat(refused).as("third connection from 127.0.0.1").startsWith("HTTP/1.1 503");
      assertThat(refused).as("the refusal names the address it counted and the limit")
          .contains("127.0.0.1").contains("max-connections-per-ip").contains("2");
    }
    try (Running server = Servers.start(b -> b.set(CoreOptions.MAX_CONNECTIONS_PER_IP, 1000)
        .set(CoreOptions.CONNECT_RATE_PER_IP, 1).set(CoreOptions.CONNECT_BURST_PER_IP, 1))) {
      assertThat(freshGet(server.wsPort())).as("first connection").startsWith("HTTP/1.1 200");
      String refused = freshGet(server.wsPort());
      assertThat(refused).as("second connection within the second").startsWith("HTTP/1.1 503");
      assertThat(refused).as("the refusal names the address and the rate")
          .contains("127.0.0.1").contains("connect-rate-per-ip");
    }
  }

  /** GET /healthz on a new connection (java.net.http would reuse a pooled one). */
  private static String freshGet(int port) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return JsonNumbersIT.readResponse(s.getInputStream());
    }
  }
}
