package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.Running;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Servers;
import dev.keel.testing.WsClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 fragmentation: a message may arrive as a first frame and continuation frames. The
 * server aggregates them only for connections that fragment (the aggregator is added on the first
 * fragment), under the same max-message-size as whole frames.
 */
class FragmentedMessagesIT {
  private Running server;

  @BeforeEach
  void start() {
    server = Servers.start(b -> b.set(CoreOptions.MAX_MESSAGE_SIZE, 1024));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aMessageInThreeFragmentsIsHandledWhole_andWholeFramesStillWorkAfterIt() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
      raw.sendFrame(0x1, false, "{\"op\":\"ping\",");
      raw.sendFrame(0x0, false, "\"id\":");
      raw.sendFrame(0x0, true, "\"frag-1\"}");
      assertThat(text(raw.readFrame())).as("reply to the fragmented ping").contains("\"op\":\"pong\"")
          .contains("\"id\":\"frag-1\"");
      raw.sendText("{\"op\":\"ping\",\"id\":\"whole-2\"}");
      assertThat(text(raw.readFrame())).as("reply to a whole frame after it").contains("\"id\":\"whole-2\"");
      raw.sendFrame(0x1, false, "{\"op\":\"ping\",");
      raw.sendFrame(0x0, true, "\"id\":\"frag-3\"}");
      assertThat(text(raw.readFrame())).as("reply to a second fragmented ping").contains("\"id\":\"frag-3\"");
    }
  }

  @Test
  void fragmentsAddingUpPastMaxMessageSizeClose1009() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
      String part = "x".repeat(100);
      raw.sendFrame(0x1, false, "{\"op\":\"ping\",\"pad\":\"" + part);
      for (int i = 0; i < 12; i++) { // 12 x 100 bytes: past 1,024 on the 10th or so
        raw.sendFrame(0x0, false, part);
      }
      RawWebSocket.Frame f = raw.readFrame();
      assertThat(f.opcode()).as("a close frame").isEqualTo(0x8);
      assertThat(f.closeCode()).as("close code").isEqualTo(1009);
    }
    // The server stays up and serves others.
    WsClient ws = WsClient.connect(server.wsPort());
    ws.send("{\"op\":\"ping\",\"id\":\"after\"}");
    assertThat(ws.next()).contains("\"id\":\"after\"");
    ws.close();
  }

  private static String text(RawWebSocket.Frame f) {
    assertThat(f.opcode()).as("a text frame").isEqualTo(0x1);
    return new String(f.payload(), StandardCharsets.UTF_8);
  }
}
