package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A frame begun must finish within {@code frame-timeout}: a peer that trickles a frame (or a
 * fragmented message) is closed 1008 {@code too slow} (TCP {@code too_slow}), however often it sends a
 * byte; one that sends slowly but finishes in time is served. Real server, real sockets.
 */
class FrameTimeoutIT {
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(1);
  private Running server;

  @BeforeEach
  void start() {
    server = Servers.start(b -> b
        .set(CoreOptions.FRAME_TIMEOUT, FRAME_TIMEOUT)
        .set(CoreOptions.IDLE_TIMEOUT, Duration.ofSeconds(20))
        .set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(10)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] pingOf(int length) {
    String head = "{\"op\":\"ping\",\"pad\":\"";
    return (head + "x".repeat(length - head.length() - 2) + "\"}").getBytes(StandardCharsets.US_ASCII);
  }

  /** One masked WebSocket frame, as a browser sends it. */
  private static byte[] wsFrame(int opcode, boolean fin, byte[] p) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    f.write(0x80 | 126);
    f.write(p.length >>> 8);
    f.write(p.length & 0xff);
    byte[] mask = {1, 2, 3, 4};
    f.write(mask, 0, 4);
    for (int i = 0; i < p.length; i++) {
      f.write(p[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  /** Writes {@code bytes} a chunk every {@code every}, for at most {@code budget} (a bounded loop). */
  private static void trickle(OutputStream out, byte[] bytes, int chunk, Duration every) throws Exception {
    for (int i = 0; i < bytes.length; i += chunk) {
      try {
        out.write(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk)));
        out.flush();
      } catch (java.io.IOException closedMeanwhile) {
        return;
      }
      LockSupport.parkNanos(every.toNanos()); // the peer's pace, not a wait for the server
    }
  }

  private static RawWebSocket.Frame closeFrame(RawWebSocket raw) throws Exception {
    while (true) {
      RawWebSocket.Frame f = raw.readFrame();
      if (f.opcode() == 0x8) {
        return f;
      }
    }
  }

  @Test
  void webSocketFrameTrickled_closed1008TooSlow() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
      byte[] frame = wsFrame(0x1, true, pingOf(2000));
      long start = System.nanoTime();
      Thread writer = Thread.startVirtualThread(() -> {
        try {
          // 8 bytes every 100 ms: the frame would take 25 s; the idle timeout never fires.
          trickle(raw.socket().getOutputStream(), frame, 8, Duration.ofMillis(100));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      RawWebSocket.Frame close = closeFrame(raw);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(close.closeCode()).as("close code for a trickled frame").isEqualTo(1008);
      assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8))
          .as("close reason").isEqualTo("too slow");
      assertThat(tookMs).as("ms until the close (frame timeout 1 s)").isBetween(900L, 10_000L);
      writer.interrupt();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closed(CloseReason.TOO_SLOW) == 1);
  }

  @Test
  void webSocketFragmentedMessageNeverFinished_closed1008TooSlow() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
      raw.sendFrame(0x1, false, "{\"op\":\"ping\",");
      // Each fragment is whole, but the message is not: it must finish within the frame timeout too.
      raw.sendFrame(0x0, false, "\"pad\":\"");
      RawWebSocket.Frame close = closeFrame(raw);
      assertThat(close.closeCode()).as("close code for a fragmented message never finished").isEqualTo(1008);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closed(CloseReason.TOO_SLOW) == 1);
  }

  @Test
  void tcpFrameTrickled_errorTooSlow() throws Exception {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.heartbeat();
      byte[] payload = pingOf(2000);
      byte[] frame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
      Thread writer = Thread.startVirtualThread(() -> {
        try {
          trickle(tcp.socket().getOutputStream(), frame, 8, Duration.ofMillis(100));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      JsonNode e = tcp.readJson();
      assertThat(e.path("op").asText() + " " + e.path("code").asText()).as("goodbye for a trickled frame")
          .isEqualTo("error too_slow");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(5))).as("closed").isTrue();
      writer.interrupt();
    }
  }

  @Test
  void framesSentSlowlyButFinishedInTime_areServed() throws Exception {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort());
        RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
      byte[] payload = pingOf(2000);
      byte[] tcpFrame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
      for (int round = 0; round < 3; round++) {
        // 2 KB in 5 pieces over about half the frame timeout: slow, but finished in time.
        trickle(tcp.socket().getOutputStream(), tcpFrame, 420, Duration.ofMillis(100));
        assertThat(tcp.readJson().path("op").asText()).as("answer to a slow TCP frame, round %d", round)
            .isEqualTo("pong");
        trickle(raw.socket().getOutputStream(), wsFrame(0x1, true, payload), 420, Duration.ofMillis(100));
        RawWebSocket.Frame f = raw.readFrame();
        while (f.opcode() == 0x9) {
          f = raw.readFrame();
        }
        assertThat(new String(f.payload(), StandardCharsets.UTF_8)).as("answer to a slow WebSocket frame, round %d",
            round).contains("pong");
      }
      assertThat(server.closed(CloseReason.TOO_SLOW)).as("connections closed as too slow").isZero();
    }
  }
}
