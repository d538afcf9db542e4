package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.config.IoTransport;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import io.netty.channel.uring.IoUring;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code io-transport io_uring}: the same server on Netty's io_uring transport. Pub/sub across both
 * transports, a slow consumer cut off, and every connection's end counted. Skipped, saying why,
 * where the kernel or the native library does not offer io_uring (it does on the CI machines).
 */
class IoUringIT {
  @Test
  void pubSubOnBothTransports_slowConsumerCut_everyConnectionEnded() throws Exception {
    Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable here: " + IoUring.unavailabilityCause());
    try (Running server = Servers.start(b -> b.set(CoreOptions.IO_TRANSPORT, IoTransport.IO_URING)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024).set(CoreOptions.OUTBOUND_QUEUE_BYTES, 70 * 1024).set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 8 * 1024))) {
      assertThat(server.transportName()).as("transport loaded").isEqualTo("io_uring");

      WsClient ws = WsClient.connect(server.wsPort());
      ws.send("{\"op\":\"sub\",\"topic\":\"news\",\"id\":1}");
      assertThat(ws.next()).contains("\"op\":\"subscribed\"");
      try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
        tcp.send("{\"op\":\"sub\",\"topic\":\"news\",\"id\":1}");
        assertThat(tcp.read()).contains("\"op\":\"subscribed\"");
        // A stalled TCP subscriber with a tiny receive buffer, on the same topic.
        TcpClient stalled = TcpClient.connect(server.tcpPort(), null, 2048);
        stalled.send("{\"op\":\"sub\",\"topic\":\"news\",\"id\":1}");

        String data = "\"" + "x".repeat(1000) + "\"";
        for (int i = 1; i <= 200; i++) { // in lockstep: only the stalled subscriber backs up
          ws.send("{\"op\":\"pub\",\"topic\":\"news\",\"data\":" + data + "}");
          assertSeq(ws.nextJson(), i, "WebSocket subscriber");
          assertSeq(tcp.readJson(), i, "TCP subscriber");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.closed(CloseReason.SLOW_CONSUMER)
            + server.closed(CloseReason.WRITE_TIMEOUT) == 1);
        stalled.reset();
      }
      ws.close();
      ws.awaitClose(Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 0);
    }
  }

  private static void assertSeq(com.fasterxml.jackson.databind.JsonNode msg, long seq, String who) {
    assertThat(msg.path("op").asText()).as(who + ": op").isEqualTo("msg");
    assertThat(msg.path("seq").asLong()).as(who + ": seq").isEqualTo(seq);
  }
}
