package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.Http;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Shutdown (what SIGTERM runs) flushes what is queued, then closes with 1001. */
class DrainIT {
  private static final int MESSAGES = 400;

  @Test
  void drainDeliversQueuedMessagesBeforeClose1001() throws Exception {
    Running server = Servers.start(b -> b.set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024).set(CoreOptions.SHUTDOWN_GRACE, Duration.ofSeconds(20)));
    try (WsClient ws = WsClient.connectPaused(server.wsPort());
        TcpClient tcp = TcpClient.connect(server.tcpPort(), null, 4096);
        Socket http = new Socket("127.0.0.1", server.wsPort())) {
      ws.send("{\"op\":\"sub\",\"topic\":\"news\"}");
      tcp.send("{\"op\":\"sub\",\"topic\":\"news\"}");
      assertThat(tcp.readJson().get("op").asText()).isEqualTo("subscribed");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.subscribers("news") == 2);
      String data = "\"" + "n".repeat(1000) + "\"";
      for (int i = 0; i < MESSAGES; i++) {
        assertThat(Http.post(server.wsPort(), "/api/publish", "{\"topic\":\"news\",\"data\":" + data + "}").statusCode())
            .isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> server.queuedBytes() > 0);

      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdown);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.draining());
      assertThat(healthOver(http, server.wsPort())).as("healthz while draining, on an open connection")
          .startsWith("HTTP/1.1 503");
      assertThat(Http.get(server.wsPort(), "/healthz").statusCode()).as("healthz while draining, new connection")
          .isEqualTo(503);
      assertThatThrownBy(() -> dev.keel.testing.RawWebSocket.connect(server.wsPort())).as("no new WebSocket while draining")
          .hasMessageContaining("503");
      assertThatThrownBy(() -> TcpClient.connect(server.tcpPort()).read()).as("no new TCP connection while draining")
          .isInstanceOf(java.io.UncheckedIOException.class);
      ws.resume();
      assertThat(ws.nextJson().get("op").asText()).as("reply read after resuming").isEqualTo("subscribed");
      for (int i = 1; i <= MESSAGES; i++) {
        JsonNode m = ws.nextJson();
        assertThat(m.get("seq").asLong()).as("WS message %d delivered during the drain", i).isEqualTo(i);
      }
      assertThat(ws.awaitClose(Duration.ofSeconds(20)).code()).as("WS close code after the drain").isEqualTo(1001);
      for (int i = 1; i <= MESSAGES; i++) {
        assertThat(tcp.readJson().get("seq").asLong()).as("TCP message %d delivered during the drain", i).isEqualTo(i);
      }
      assertThat(tcp.readJson().get("code").asText()).as("TCP goodbye").isEqualTo("shutdown");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).isTrue();
      shutdown.get();
      assertThat(server.closed(CloseReason.SHUTDOWN)).isEqualTo(2);
      assertThat(server.connections()).isZero();
    } finally {
      server.close();
    }
  }

  /** A GET /healthz on an HTTP connection opened before the drain began. */
  private static String healthOver(Socket http, int port) throws Exception {
    OutputStream out = http.getOutputStream();
    out.write(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    http.setSoTimeout(10_000);
    InputStream in = http.getInputStream();
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString();
  }
}
