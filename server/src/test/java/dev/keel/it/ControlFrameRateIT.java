package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Finding 4 of the hardening issue: control frames bypassed the rate limit (4.1 million pings
 * answered and 28 million empty continuation frames accepted in 10 s), and HTTP publish had no rate
 * limit at all (14,000/s on one keep-alive connection). Pings, pongs and continuation frames now take
 * tokens like messages; HTTP requests to routes take tokens per connection and per address.
 *
 * <p>The bounds asserted here are those the token bucket makes certain: never more answers than
 * burst + rate × elapsed (+ the one pong the RFC lets a peer send for the latest of many pings), and
 * never sooner than the tokens allow.
 */
class ControlFrameRateIT {
  private static final int RATE = 50;
  private static final int BURST = 50;

  @Test
  void pingFlood_isThrottledLikeAMessageFlood_andAnInnocentClientIsServed() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.RATE_LIMIT, RATE).set(CoreOptions.RATE_BURST, BURST));
        RawWebSocket flooder = RawWebSocket.connect(server.wsPort());
        WsClient innocent = WsClient.connect(server.wsPort())) {
      ByteArrayOutputStream pings = new ByteArrayOutputStream();
      for (int i = 0; i < 5_000; i++) {
        pings.writeBytes(RawWebSocket.frameBytes(0x89, new byte[0], true));
      }
      long start = System.nanoTime();
      AtomicBoolean sent = new AtomicBoolean();
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          flooder.sendRaw(pings.toByteArray()); // blocks while the server does not read
          sent.set(true);
        } catch (java.io.IOException closed) {
          // the test ended
        }
      });
      flooder.socket().setSoTimeout(1_000);
      int pongs = 0;
      try {
        while (System.nanoTime() - start < 1_500_000_000L) {
          if (flooder.readFrame().opcode() == 0xA) {
            pongs++;
          }
        }
      } catch (SocketTimeoutException quiet) {
        // no more pongs for a second
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      assertThat(pongs).as("pongs for 5,000 pings in %.2f s at %d/s, burst %d", elapsed, RATE, BURST)
          .isLessThanOrEqualTo((int) (BURST + RATE * elapsed) + 2);
      innocent.send("{\"op\":\"echo\",\"data\":1}");
      assertThat(innocent.next()).as("an innocent client's echo during the flood").isEqualTo("{\"op\":\"echo\",\"data\":1}");
      assertThat(server.rateLimited()).as("control frames counted as rate-limited").isPositive();
      flooder.socket().close();
      writer.join(10_000);
    }
  }

  @Test
  void emptyContinuationFrames_takeTokens_soAMessageOfThemArrivesNoSoonerThanTheRateAllows() throws Exception {
    int rate = 100;
    int burst = 20;
    int fragments = 200;
    try (Running server = Servers.start(b -> b.set(CoreOptions.RATE_LIMIT, rate).set(CoreOptions.RATE_BURST, burst));
        RawWebSocket ws = RawWebSocket.connect(server.wsPort())) {
      byte[] message = "{\"op\":\"echo\",\"data\":\"continued\"}".getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      frames.writeBytes(RawWebSocket.frameBytes(0x01, message, true)); // first fragment: all of the text
      for (int i = 0; i < fragments; i++) {
        frames.writeBytes(RawWebSocket.frameBytes(0x00, new byte[0], true));
      }
      frames.writeBytes(RawWebSocket.frameBytes(0x80, new byte[0], true)); // the final, empty continuation
      long start = System.nanoTime();
      ws.sendRaw(frames.toByteArray());
      RawWebSocket.Frame echo = ws.readFrame();
      double elapsed = (System.nanoTime() - start) / 1e9;
      assertThat(new String(echo.payload(), StandardCharsets.US_ASCII)).as("the echo").isEqualTo(new String(message, StandardCharsets.US_ASCII));
      double floor = (fragments + 2.0 - burst - 1) / rate; // the last frame's token is due no sooner
      assertThat(elapsed).as("seconds before %d frames at %d/s (burst %d) were let through", fragments + 2, rate, burst)
          .isGreaterThanOrEqualTo(floor * 0.95);
    }
  }

  @Test
  void httpPublishOnOneKeepAliveConnection_isRateLimitedWith429_andTheConnectionStays() throws Exception {
    int rate = 20;
    try (Running server = Servers.start(b -> b.set(CoreOptions.RATE_LIMIT, rate).set(CoreOptions.RATE_BURST, rate));
        Socket s = new Socket("127.0.0.1", server.wsPort())) {
      s.setSoTimeout(10_000);
      String body = "{\"topic\":\"t\",\"data\":1}";
      String one = "POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body;
      List<String> answers = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        s.getOutputStream().write(one.getBytes(StandardCharsets.US_ASCII));
        answers.add(JsonNumbersIT.readResponse(s.getInputStream()));
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long ok = answers.stream().filter(a -> a.startsWith("HTTP/1.1 200")).count();
      long limited = answers.stream().filter(a -> a.startsWith("HTTP/1.1 429")).count();
      assertThat(ok + limited).as("every request answered, 200 or 429").isEqualTo(100);
      assertThat(ok).as("publishes let through in %.2f s at %d/s", elapsed, rate)
          .isLessThanOrEqualTo((long) (rate + rate * elapsed) + 1);
      assertThat(answers.stream().filter(a -> a.startsWith("HTTP/1.1 429")).findFirst().orElseThrow())
          .as("a 429").containsIgnoringCase("Retry-After:").contains("{\"error\":\"rate_limited\"");
    }
  }

  /** Reads what is there within the timeout. */
  static String drain(InputStream in) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try {
      int c;
      while ((c = in.read()) != -1) {
        got.write(c);
      }
    } catch (SocketTimeoutException enough) {
      // done
    }
    return got.toString(StandardCharsets.US_ASCII);
  }
}
