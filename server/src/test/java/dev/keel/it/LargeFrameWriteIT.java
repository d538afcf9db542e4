package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Frames several times larger than what a socket takes in one write, to subscribers with small
 * buffers: the first write of each frame is partial, the socket takes the rest later. Every frame
 * must arrive whole, byte for byte, and in order, whichever way its bytes left (straight to the
 * socket first, then through the channel's buffer and {@code EPOLLOUT}).
 */
class LargeFrameWriteIT {
  private static final int PAYLOAD = 96 * 1024;
  private static final int MESSAGES = 12;

  @Test
  void framesLargerThanTheSocketTakesAtOnce_arriveWholeAndInOrder_overTcpAndWebSocket() throws Exception {
    try (Running server = Servers.start(b -> b
            .set(CoreOptions.MAX_MESSAGE_SIZE, 2 * PAYLOAD)
            .set(CoreOptions.SOCKET_SEND_BUFFER, 4 * 1024)
            .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 4 * PAYLOAD)
            .set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 8 * 1024)
            .set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(2)));
        TcpClient tcp = TcpClient.connect(server.tcpPort(), null, 4 * 1024);
        WsClient ws = WsClient.connect(server.wsPort());
        TcpClient pub = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"sub\",\"topic\":\"big\"}");
      assertThat(tcp.readJson().get("op").asText()).isEqualTo("subscribed");
      ws.send("{\"op\":\"sub\",\"topic\":\"big\"}");
      assertThat(ws.nextJson().get("op").asText()).isEqualTo("subscribed");
      tcp.setReadTimeout(Duration.ofSeconds(30));
      for (int i = 0; i < MESSAGES; i++) {
        String text = payload(i);
        // One at a time: each frame meets an empty queue and an empty channel buffer.
        pub.send("{\"op\":\"pub\",\"topic\":\"big\",\"data\":\"" + text + "\"}");
        JsonNode viaTcp = tcp.readJson();
        JsonNode viaWs = WsClient.parse(ws.next(Duration.ofSeconds(30)));
        for (JsonNode got : new JsonNode[] {viaTcp, viaWs}) {
          assertThat(got.get("seq").asLong()).as("seq of message %d", i).isEqualTo(i + 1L);
          String data = got.get("data").asText();
          assertThat(data.length()).as("length of message %d", i).isEqualTo(text.length());
          assertThat(data).as("message %d, byte for byte", i).isEqualTo(text);
        }
      }
    }
  }

  /** A payload whose every position depends on the message and the offset: a lost or moved chunk shows. */
  private static String payload(int message) {
    StringBuilder b = new StringBuilder(PAYLOAD);
    for (int i = 0; i < PAYLOAD; i++) {
      b.append((char) ('a' + (i * 7 + message * 13 + i / 997) % 26));
    }
    return b.toString();
  }
}
