package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.testing.Running;
import dev.keel.testing.Http;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wire protocol over real sockets: both transports, across transports, HTTP. */
class ProtocolIT {
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
  void echoAndPingOverWebSocket() {
    try (WsClient ws = WsClient.connect(server.wsPort())) {
      ws.send("{\"op\":\"echo\",\"data\":{\"a\":[1, 2, \"x\"]},\"id\":7}");
      assertThat(ws.next()).as("echo reply, compact, same id").isEqualTo("{\"op\":\"echo\",\"data\":{\"a\":[1,2,\"x\"]},\"id\":7}");
      ws.send("{\"op\":\"ping\"}");
      assertThat(ws.next()).as("pong").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  @Test
  void echoAndPingOverTcp() {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"echo\",\"data\":\"hi\",\"id\":\"e1\"}");
      assertThat(tcp.read()).as("echo reply").isEqualTo("{\"op\":\"echo\",\"data\":\"hi\",\"id\":\"e1\"}");
      tcp.send("{\"op\":\"ping\",\"id\":2}");
      assertThat(tcp.read()).as("pong with id").isEqualTo("{\"op\":\"pong\",\"id\":2}");
    }
  }

  @Test
  void pubSubOverWebSocketIncludesTheSubscribedSender() {
    try (WsClient a = WsClient.connect(server.wsPort()); WsClient b = WsClient.connect(server.wsPort())) {
      a.send("{\"op\":\"sub\",\"topic\":\"room.1\",\"id\":1}");
      assertThat(a.next()).as("sub reply").isEqualTo("{\"op\":\"subscribed\",\"topic\":\"room.1\",\"id\":1}");
      b.send("{\"op\":\"sub\",\"topic\":\"room.1\"}");
      assertThat(b.next()).isEqualTo("{\"op\":\"subscribed\",\"topic\":\"room.1\"}");
      a.send("{\"op\":\"pub\",\"topic\":\"room.1\",\"data\":{\"text\":\"hello\"},\"id\":\"p1\"}");
      String first = a.next();
      String second = a.next();
      assertThat(java.util.List.of(first, second)).as("sender gets ok and its own message")
          .containsExactlyInAnyOrder("{\"op\":\"ok\",\"id\":\"p1\"}",
              "{\"op\":\"msg\",\"topic\":\"room.1\",\"seq\":1,\"data\":{\"text\":\"hello\"}}");
      assertThat(b.next()).as("other subscriber gets the message")
          .isEqualTo("{\"op\":\"msg\",\"topic\":\"room.1\",\"seq\":1,\"data\":{\"text\":\"hello\"}}");
      b.send("{\"op\":\"unsub\",\"topic\":\"room.1\"}");
      assertThat(b.next()).isEqualTo("{\"op\":\"unsubscribed\",\"topic\":\"room.1\"}");
      a.send("{\"op\":\"pub\",\"topic\":\"room.1\",\"data\":2}");
      assertThat(a.nextJson().get("seq").asLong()).as("seq counts up").isEqualTo(2);
      b.send("{\"op\":\"ping\"}");
      assertThat(b.next()).as("unsubscribed client got no message, only its pong").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  @Test
  void tcpPublisherReachesWebSocketSubscriberAndBack() {
    try (WsClient ws = WsClient.connect(server.wsPort()); TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      ws.send("{\"op\":\"sub\",\"topic\":\"t\"}");
      ws.next();
      tcp.send("{\"op\":\"sub\",\"topic\":\"t\"}");
      tcp.read();
      tcp.send("{\"op\":\"pub\",\"topic\":\"t\",\"data\":[\"from-tcp\"]}");
      assertThat(ws.next()).as("WS subscriber gets the TCP publish")
          .isEqualTo("{\"op\":\"msg\",\"topic\":\"t\",\"seq\":1,\"data\":[\"from-tcp\"]}");
      assertThat(tcp.read()).isEqualTo("{\"op\":\"msg\",\"topic\":\"t\",\"seq\":1,\"data\":[\"from-tcp\"]}");
      ws.send("{\"op\":\"pub\",\"topic\":\"t\",\"data\":null}");
      assertThat(tcp.read()).as("TCP subscriber gets the WS publish")
          .isEqualTo("{\"op\":\"msg\",\"topic\":\"t\",\"seq\":2,\"data\":null}");
    }
  }

  @Test
  void badRequestsGetAnErrorAndTheConnectionLives() {
    try (WsClient ws = WsClient.connect(server.wsPort()); TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      for (var bad : java.util.List.of("{not json", "[1,2]", "{\"op\":\"fly\",\"id\":3}", "{\"op\":\"sub\"}",
          "{\"op\":\"sub\",\"topic\":\"bad topic!\"}", "{\"op\":\"pub\",\"topic\":\"x\"}", "{\"op\":\"ping\"} trailing")) {
        ws.send(bad);
        JsonNode e = ws.nextJson();
        assertThat(e.get("op").asText()).as("WS answer to " + bad).isEqualTo("error");
        assertThat(e.get("code").asText()).as("WS code for " + bad).isEqualTo("bad_request");
        assertThat(e.get("message").asText()).as("a message, not a stack trace").doesNotContain("Exception", "at dev.");
        tcp.send(bad);
        assertThat(tcp.readJson().get("code").asText()).as("TCP code for " + bad).isEqualTo("bad_request");
      }
      ws.send("{\"op\":\"fly\",\"id\":3}");
      assertThat(ws.nextJson().get("id").asInt()).as("error carries the request id").isEqualTo(3);
      ws.send("{\"op\":\"ping\"}");
      assertThat(ws.next()).as("WS connection still serves").isEqualTo("{\"op\":\"pong\"}");
      tcp.send("{\"op\":\"ping\"}");
      assertThat(tcp.read()).as("TCP connection still serves").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  @Test
  void binaryFrameGetsUnsupportedAndTheConnectionLives() {
    try (WsClient ws = WsClient.connect(server.wsPort())) {
      ws.sendBinary(new byte[] {1, 2, 3});
      JsonNode e = ws.nextJson();
      assertThat(e.get("code").asText()).as("binary frame answer").isEqualTo("unsupported");
      ws.send("{\"op\":\"ping\"}");
      assertThat(ws.next()).isEqualTo("{\"op\":\"pong\"}");
      assertThat(ws.isClosed()).as("still open").isFalse();
    }
  }

  @Test
  void httpPublishReachesSubscribersAndCountsThem() {
    try (WsClient ws = WsClient.connect(server.wsPort()); TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      ws.send("{\"op\":\"sub\",\"topic\":\"alerts\"}");
      ws.next();
      tcp.send("{\"op\":\"sub\",\"topic\":\"alerts\"}");
      tcp.read();
      HttpResponse<String> r = Http.post(server.wsPort(), "/api/publish", "{\"topic\":\"alerts\",\"data\":{\"level\":3}}");
      assertThat(r.statusCode()).as("publish status").isEqualTo(200);
      assertThat(r.body()).as("delivered count").isEqualTo("{\"delivered\":2}");
      assertThat(ws.next()).isEqualTo("{\"op\":\"msg\",\"topic\":\"alerts\",\"seq\":1,\"data\":{\"level\":3}}");
      assertThat(tcp.read()).isEqualTo("{\"op\":\"msg\",\"topic\":\"alerts\",\"seq\":1,\"data\":{\"level\":3}}");
      assertThat(Http.post(server.wsPort(), "/api/publish", "{\"topic\":\"nobody\",\"data\":1}").body())
          .as("no subscribers").isEqualTo("{\"delivered\":0}");
    }
  }

  @Test
  void httpPublishRejectsBadBodiesAndOversizedOnes() {
    HttpResponse<String> bad = Http.post(server.wsPort(), "/api/publish", "{oops");
    assertThat(bad.statusCode()).as("bad JSON").isEqualTo(400);
    assertThat(WsClient.parse(bad.body()).get("error").asText()).isEqualTo("bad_request");
    assertThat(Http.post(server.wsPort(), "/api/publish", "{\"topic\":\"a b\",\"data\":1}").statusCode())
        .as("bad topic").isEqualTo(400);
    String big = "{\"topic\":\"t\",\"data\":\"" + "x".repeat(server.config().get(CoreOptions.MAX_MESSAGE_SIZE)) + "\"}";
    assertThat(Http.post(server.wsPort(), "/api/publish", big).statusCode()).as("oversized body").isEqualTo(413);
  }

  @Test
  void malformedUpgradeGets400AndGivesBackItsConnectionSlot() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.wsPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(status).as("upgrade without Sec-WebSocket-Key").isEqualTo("HTTP/1.1 400");
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> server.reserved() == 0);
  }

  @Test
  void numbersPassThroughAsWritten() {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"echo\",\"data\":[1.50, 1e2, 12345678901234567890.123456789]}");
      assertThat(tcp.read()).as("no rounding through a double")
          .isEqualTo("{\"op\":\"echo\",\"data\":[1.50,1E+2,12345678901234567890.123456789]}");
    }
  }

  @Test
  void pipelinedHttpRequestsAreAnsweredInOrder() throws Exception {
    try (WsClient sub = WsClient.connect(server.wsPort()); java.net.Socket s = new java.net.Socket("127.0.0.1", server.wsPort())) {
      sub.send("{\"op\":\"sub\",\"topic\":\"p\"}");
      sub.next();
      String body = "{\"topic\":\"p\",\"data\":1}";
      String publish = "POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body;
      String health = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      s.setSoTimeout(10_000);
      s.getOutputStream().write((publish + health).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(all.indexOf("{\"delivered\":1}")).as("publish answer present").isNotNegative();
      assertThat(all.indexOf("{\"delivered\":1}")).as("answers in request order: publish before healthz")
          .isLessThan(all.indexOf("{\"status\":\"up\"}"));
    }
  }

  @Test
  void healthzIsUpAndUnknownPathsAre404() {
    HttpResponse<String> h = Http.get(server.wsPort(), "/healthz");
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.body()).isEqualTo("{\"status\":\"up\"}");
    assertThat(Http.get(server.wsPort(), "/nope").statusCode()).isEqualTo(404);
  }
}
