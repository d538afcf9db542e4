package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.admin.AdminOptions;
import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One budget for every socket ({@code max-sockets}): plain HTTP connections, connections that never
 * upgrade and sessions all count; over it a socket is closed at once, and the admin listener, whose
 * sockets come from a reserve of their own, still answers.
 */
class SocketBudgetIT {
  private static final int MAX_SOCKETS = 40;
  private static final int ADMIN_RESERVE = 4;

  @Test
  void stalledHttpSockets_fillThePublicShare_thenEveryNewSocketIsClosedAtOnce_andTheAdminPortAnswers() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.MAX_SOCKETS, MAX_SOCKETS)
        .set(AdminOptions.ADMIN_MAX_CONNECTIONS, ADMIN_RESERVE).set(AdminOptions.ADMIN_MAX_CONNECTIONS_PER_IP, ADMIN_RESERVE)
        .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofSeconds(30)))) {
      List<Socket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < MAX_SOCKETS - ADMIN_RESERVE; i++) {
          Socket s = new Socket("127.0.0.1", server.wsPort());
          s.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)); // never finished
          stalled.add(s);
        }
        java.net.InetAddress loopback = java.net.InetAddress.getByName("127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.openFrom(loopback) == MAX_SOCKETS - ADMIN_RESERVE);
        try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
          assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).as("a framed-TCP socket over the budget, closed at once").isTrue();
        }
        try (Socket extra = new Socket("127.0.0.1", server.wsPort())) {
          extra.setSoTimeout(10_000);
          assertThat(extra.getInputStream().read()).as("an HTTP socket over the budget: closed before any byte").isEqualTo(-1);
        }
        assertThat(FdLimitIT.adminStatus(server.adminPort())).as("the admin port, from its reserve").startsWith("HTTP/1.1 200");
        assertThat(server.closed(CloseReason.SERVER_FULL)).as("sockets refused for the budget").isGreaterThanOrEqualTo(2);
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
      }
      try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
        tcp.send("{\"op\":\"ping\"}");
        assertThat(tcp.read()).as("served once the stalled sockets are gone").isEqualTo("{\"op\":\"pong\"}");
      }
    }
  }

  @Test
  void sessionsAndPlainHttp_shareOneBudget() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.MAX_SOCKETS, 10).set(AdminOptions.ADMIN_MAX_CONNECTIONS, 2)
        .set(AdminOptions.ADMIN_MAX_CONNECTIONS_PER_IP, 2))) {
      List<TcpClient> sessions = new ArrayList<>();
      List<Socket> http = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          TcpClient c = TcpClient.connect(server.tcpPort());
          c.send("{\"op\":\"ping\"}");
          assertThat(c.read()).isEqualTo("{\"op\":\"pong\"}");
          sessions.add(c);
        }
        for (int i = 0; i < 4; i++) {
          http.add(new Socket("127.0.0.1", server.wsPort()));
        }
        java.net.InetAddress loopback = java.net.InetAddress.getByName("127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.openFrom(loopback) == 8);
        try (TcpClient ninth = TcpClient.connect(server.tcpPort())) {
          assertThat(ninth.awaitClosed(Duration.ofSeconds(10))).as("the ninth socket of 8 public ones").isTrue();
        }
      } finally {
        sessions.forEach(TcpClient::close);
        for (Socket s : http) {
          s.close();
        }
      }
    }
  }
}
