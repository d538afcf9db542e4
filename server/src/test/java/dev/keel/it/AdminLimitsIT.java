package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.admin.AdminOptions;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding 2 of the hardening issue: the admin listener had no request deadline and no per-address
 * cap, and holding one of its sockets needed no token, so 1,500 partial requests from one address
 * stayed open for minutes with {@code --admin-token} set. Now each is closed at
 * {@code admin-request-timeout}, and one address holds at most {@code admin-max-connections-per-ip}.
 */
class AdminLimitsIT {
  private static final String TOKEN = "admin-limits-token-0123456789";

  @Test
  void partialAdminRequests_areClosedWithinTheRequestTimeout_andTheOperatorIsServedMeanwhile() throws Exception {
    try (Running server = Servers.start(b -> b.set(AdminOptions.ADMIN_TOKEN, TOKEN)
        .set(AdminOptions.ADMIN_REQUEST_TIMEOUT, java.time.Duration.ofSeconds(1)))) {
      List<Socket> partial = new ArrayList<>();
      long start = System.nanoTime();
      try {
        for (int i = 0; i < 8; i++) { // admin-max-connections-per-ip, from 127.0.0.1
          Socket s = new Socket("127.0.0.1", server.adminPort());
          s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
          partial.add(s);
        }
        assertThat(operatorGetsMetrics(server.adminPort())).as("the operator, from another address, meanwhile")
            .startsWith("HTTP/1.1 200");
        for (Socket s : partial) {
          s.setSoTimeout(15_000);
          assertThat(endsWithin(s.getInputStream())).as("a partial admin request is closed in time").isTrue();
        }
        assertThat(System.nanoTime() - start).as("held no less than the request timeout (ns)")
            .isGreaterThanOrEqualTo(1_000_000_000L);
      } finally {
        for (Socket s : partial) {
          s.close();
        }
      }
    }
  }

  @Test
  void oneAddress_cannotHoldMoreThanItsShareOfAdminSockets() throws Exception {
    try (Running server = Servers.start(b -> b.set(AdminOptions.ADMIN_TOKEN, TOKEN))) {
      List<Socket> held = new ArrayList<>();
      try {
        int closedAtOnce = 0;
        for (int i = 0; i < 40; i++) {
          Socket s = new Socket("127.0.0.1", server.adminPort());
          held.add(s);
          s.setSoTimeout(2_000);
          s.getOutputStream().write("GET /met".getBytes(StandardCharsets.US_ASCII));
        }
        for (Socket s : held) {
          try {
            if (s.getInputStream().read() == -1) {
              closedAtOnce++;
            }
          } catch (java.net.SocketTimeoutException stillOpen) {
            // held: within this address's share
          } catch (java.net.SocketException reset) {
            closedAtOnce++;
          }
        }
        assertThat(closedAtOnce).as("admin sockets from one address beyond its share, closed at once")
            .isGreaterThanOrEqualTo(30);
        assertThat(operatorGetsMetrics(server.adminPort())).as("the operator, from another address")
            .startsWith("HTTP/1.1 200");
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  /** GET /metrics with the token from 127.0.0.2: the status line. */
  static String operatorGetsMetrics(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(5_000);
      s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] status = s.getInputStream().readNBytes(15);
      return new String(status, StandardCharsets.US_ASCII);
    }
  }

  private static boolean endsWithin(InputStream in) throws Exception {
    try {
      while (in.read() != -1) {
        // an answer (408) may come first
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }
}
