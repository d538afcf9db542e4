package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.spi.Extension;
import dev.keel.spi.Host;
import dev.keel.spi.HttpRoute;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every stage of an HTTP connection on the public port has its deadline (docs/security.md,
 * "Deadlines"), and a connection past it is answered as documented and closed: a silent connection
 * (handshake-timeout), a request that never completes (request-timeout: 408), an idle keep-alive
 * connection (keep-alive-timeout), a route that never answers (request-timeout: 503), a client that
 * never takes its answer (write-timeout).
 */
class HttpDeadlinesIT {
  private static final Duration HANDSHAKE = Duration.ofMillis(800);
  private static final Duration REQUEST = Duration.ofMillis(1200);
  private static final Duration KEEP_ALIVE = Duration.ofMillis(1000);
  private static final Duration WRITE = Duration.ofMillis(600);
  private static Running server;

  /** Routes for the stages a publish cannot reach: one that never answers, one whose answer is large. */
  static final class SlowRoutes implements Extension {
    @Override
    public void start(Host host) {
      host.route(new HttpRoute("/never", exchange -> { })); // holds the exchange, never answers
      String big = "{\"data\":\"" + "x".repeat(8 * 1024 * 1024) + "\"}";
      host.route(new HttpRoute("/big", exchange -> exchange.respond(200, big)));
    }

    @Override
    public void close() {}
  }

  @BeforeAll
  static void start() {
    server = Servers.start(b -> b.set(CoreOptions.HANDSHAKE_TIMEOUT, HANDSHAKE).set(CoreOptions.REQUEST_TIMEOUT, REQUEST)
        .set(CoreOptions.KEEP_ALIVE_TIMEOUT, KEEP_ALIVE).set(CoreOptions.WRITE_TIMEOUT, WRITE)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 4096), new SlowRoutes());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void silentConnection_isClosedAfterTheHandshakeTimeout_withoutAnAnswer() throws Exception {
    long start = System.nanoTime(); // before connecting: the server's clock starts at its accept
    try (Socket s = open()) {
      assertThat(readToEnd(s.getInputStream())).as("what a silent connection gets").isEmpty();
      assertThat(elapsed(start)).as("closed no sooner than the handshake timeout").isGreaterThanOrEqualTo(HANDSHAKE);
    }
  }

  @Test
  void firstRequestNeverCompleted_gets408_withinTheHandshakeTimeout() throws Exception {
    long start = System.nanoTime(); // before connecting: the handshake deadline runs from the server's accept
    try (Socket s = open()) {
      s.getOutputStream().write("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"to"
          .getBytes(StandardCharsets.US_ASCII));
      String answer = readToEnd(s.getInputStream());
      assertThat(answer).as("answer to a body that never ends").startsWith("HTTP/1.1 408")
          .contains("{\"error\":\"request_timeout\"");
      // That the handshake deadline (not request-timeout) ended it is HttpStageTest's to show, by the clock.
      assertThat(elapsed(start)).as("no sooner than the handshake timeout").isGreaterThanOrEqualTo(HANDSHAKE);
    }
  }

  @Test
  void keepAliveRequestNeverCompleted_gets408_afterTheRequestTimeout() throws Exception {
    try (Socket s = open()) {
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(JsonNumbersIT.readResponse(s.getInputStream())).as("the first request").contains("{\"status\":\"up\"}");
      long start = System.nanoTime();
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII)); // never finished
      assertThat(readToEnd(s.getInputStream())).as("answer to headers that never end").startsWith("HTTP/1.1 408");
      assertThat(elapsed(start)).as("no sooner than the request timeout").isGreaterThanOrEqualTo(REQUEST);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closed(CloseReason.REQUEST_TIMEOUT) >= 1);
  }

  @Test
  void idleKeepAliveConnection_isClosedAfterTheKeepAliveTimeout() throws Exception {
    try (Socket s = open()) {
      // The server's idle clock starts once its answer is out, which is after this and before the client
      // has read it: timed from here, the close can never come sooner than the timeout.
      long start = System.nanoTime();
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(JsonNumbersIT.readResponse(s.getInputStream())).contains("{\"status\":\"up\"}");
      assertThat(readToEnd(s.getInputStream())).as("nothing more").isEmpty();
      assertThat(elapsed(start)).as("idle no shorter than the keep-alive timeout").isGreaterThanOrEqualTo(KEEP_ALIVE);
    }
  }

  @Test
  void routeThatNeverAnswers_gets503_afterTheRequestTimeout_andCloses() throws Exception {
    try (Socket s = open()) {
      long start = System.nanoTime();
      s.getOutputStream().write("GET /never HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readToEnd(s.getInputStream());
      assertThat(answer).as("the server's answer for a late route").startsWith("HTTP/1.1 503")
          .contains("{\"error\":\"unavailable\"");
      assertThat(elapsed(start)).as("no sooner than the request timeout").isGreaterThanOrEqualTo(REQUEST);
    }
  }

  @Test
  void clientThatNeverTakesItsAnswer_isClosedAfterTheWriteTimeout() throws Exception {
    long before = server.closed(CloseReason.WRITE_TIMEOUT);
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", server.wsPort()));
      s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // Never read: 8 MiB cannot pass 4 KiB buffers, so the write makes no progress.
      await().atMost(Duration.ofSeconds(10)).until(() -> server.closed(CloseReason.WRITE_TIMEOUT) > before);
    }
  }

  private static Socket open() throws Exception {
    Socket s = new Socket("127.0.0.1", server.wsPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** Everything until the server ends the stream (a reset counts as an end). */
  static String readToEnd(InputStream in) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try {
      int c;
      while ((c = in.read()) != -1) {
        got.write(c);
      }
    } catch (SocketException reset) {
      // ended
    } catch (SocketTimeoutException open) {
      throw new AssertionError("still open after 10 s; got " + got.toString(StandardCharsets.US_ASCII));
    }
    return got.toString(StandardCharsets.US_ASCII);
  }
}
