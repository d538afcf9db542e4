package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.LogGuard;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finding 3 of the hardening issue: exceptions that reached the end of Netty's pipeline were logged
 * outside the close log's limiter. A client closing in the middle of an HTTP body wrote a 20-line
 * trace, a reset HTTP connection 2 lines, and more than 128 pipelined requests a 26-line trace and a
 * reset. Now none of them logs a stack trace (the log rule fails the class otherwise), and pipelining
 * past the bound is answered 429 and closed cleanly.
 */
class LogFloodIT {
  private static final int CLIENTS = 200;
  private Running server;

  @BeforeEach
  void start() {
    server = Servers.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void clientsClosingInTheMiddleOfAnHttpBody_logNoStackTrace() throws Exception {
    try (LogGuard.Recording log = LogGuard.record()) {
      for (int i = 0; i < CLIENTS; i++) {
        try (Socket s = new Socket("127.0.0.1", server.wsPort())) {
          s.getOutputStream().write(("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 100\r\n\r\n{\"topic\"").getBytes(StandardCharsets.US_ASCII));
        }
      }
      assertServed();
      assertThat(warningsFromNetty(log)).as("Netty warnings for clients gone mid-body").isEmpty();
    }
  }

  @Test
  void resetHttpConnections_logNoStackTrace() throws Exception {
    try (LogGuard.Recording log = LogGuard.record()) {
      for (int i = 0; i < CLIENTS; i++) {
        Socket s = new Socket("127.0.0.1", server.wsPort());
        s.getOutputStream().write("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
            .getBytes(StandardCharsets.US_ASCII));
        s.setSoLinger(true, 0); // close() sends a reset
        s.close();
      }
      assertServed();
      assertThat(warningsFromNetty(log)).as("Netty warnings for reset connections").isEmpty();
    }
  }

  @Test
  void pipeliningPastTheBound_isAnswered429_andClosedCleanly() throws Exception {
    try (LogGuard.Recording log = LogGuard.record(); TcpClient subscriber = TcpClient.connect(server.tcpPort());
        Socket s = new Socket("127.0.0.1", server.wsPort())) {
      subscriber.send("{\"op\":\"sub\",\"topic\":\"p\"}");
      subscriber.read(); // with a subscriber each publish waits for its delivery, so requests pile up
      String body = "{\"topic\":\"p\",\"data\":1}";
      String one = "POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body;
      s.setSoTimeout(10_000);
      s.getOutputStream().write(one.repeat(2000).getBytes(StandardCharsets.US_ASCII));
      String all = readToEnd(s.getInputStream());
      List<String> statuses = java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3}").matcher(all).results()
          .map(java.util.regex.MatchResult::group).toList(); // bodies end without a newline: status lines follow them
      assertThat(statuses).as("answers").isNotEmpty();
      // At least the one under way, the 16 waiting and the 429 (more if the requests came in several reads).
      assertThat(statuses.size()).as("answers to 2,000 pipelined publishes").isBetween(1 + 16 + 1, 1999);
      assertThat(statuses.subList(0, statuses.size() - 1)).as("every answer before the last")
          .allMatch(l -> l.startsWith("HTTP/1.1 200"));
      assertThat(statuses.get(statuses.size() - 1)).as("the last answer").startsWith("HTTP/1.1 429");
      assertThat(all).as("the 429's body").contains("{\"error\":\"too_many_requests\"");
      assertServed();
      assertThat(warningsFromNetty(log)).as("Netty warnings for a deep pipeline").isEmpty();
    }
  }

  /** Reads until the server ends the stream; a reset instead of an orderly end fails the test. */
  private static String readToEnd(InputStream in) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) != -1) {
        got.write(buf, 0, n);
      }
    } catch (SocketException reset) {
      throw new AssertionError("the connection was reset after " + java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3}")
          .matcher(got.toString(StandardCharsets.US_ASCII)).results().count() + " answers, not closed cleanly", reset);
    }
    return got.toString(StandardCharsets.US_ASCII);
  }

  private void assertServed() {
    try (TcpClient innocent = TcpClient.connect(server.tcpPort())) {
      innocent.send("{\"op\":\"ping\"}");
      assertThat(innocent.read()).as("an innocent client is served").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  private static List<LogGuard.Event> warningsFromNetty(LogGuard.Recording log) {
    return log.events().stream().filter(e -> e.logger().startsWith("io.netty") || e.thrown() != null).toList();
  }
}
