package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.testing.LogGuard;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finding 1 of the hardening issue: a JSON number whose exponent overflows {@code BigDecimal}
 * ({@code 0.1e-2147483647}) was an internal error on every transport: HTTP 500 with a 46-line stack
 * trace in the log, WebSocket close 1011, TCP {@code internal} and close. It is a bad request like
 * any other malformed JSON: answered {@code bad_request}, logged nowhere, and the connection stays.
 */
class JsonNumbersIT {
  /** Exponents a BigDecimal cannot hold: its scale would pass the range of an int. */
  private static final String[] BAD_NUMBERS = {"0.1e-2147483647", "1e2147483649", "-0.25E-2147483647"};
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
  void exponentOverflowInHttpPublish_is400BadRequest_andTheConnectionServesTheNextRequest() throws Exception {
    try (LogGuard.Recording log = LogGuard.record(); Socket s = new Socket("127.0.0.1", server.wsPort())) {
      s.setSoTimeout(10_000);
      for (String n : BAD_NUMBERS) {
        String body = "{\"topic\":\"t\",\"data\":" + n + "}";
        s.getOutputStream().write(("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        String answer = readResponse(s.getInputStream());
        assertThat(answer).as("answer to " + n).startsWith("HTTP/1.1 400");
        assertThat(answer).as("JSON error for " + n).contains("{\"error\":\"bad_request\",\"message\":\"invalid JSON");
      }
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(s.getInputStream())).as("the same connection serves on").contains("{\"status\":\"up\"}");
      assertThat(log.events()).as("nothing logged at WARN+ for bad client input").isEmpty();
    }
  }

  @Test
  void exponentOverflowOverWebSocketAndTcp_isBadRequest_andTheConnectionLives() {
    try (LogGuard.Recording log = LogGuard.record();
        WsClient ws = WsClient.connect(server.wsPort()); TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      for (String n : BAD_NUMBERS) {
        for (String req : new String[] {"{\"op\":\"echo\",\"data\":" + n + ",\"id\":1}",
            "{\"op\":\"pub\",\"topic\":\"t\",\"data\":[" + n + "],\"id\":2}"}) {
          ws.send(req);
          JsonNode w = ws.nextJson();
          assertThat(w.get("code").asText()).as("WebSocket answer to " + req).isEqualTo("bad_request");
          tcp.send(req);
          JsonNode t = tcp.readJson();
          assertThat(t.get("code").asText()).as("TCP answer to " + req).isEqualTo("bad_request");
        }
      }
      ws.send("{\"op\":\"ping\"}");
      assertThat(ws.next()).as("WebSocket still serves").isEqualTo("{\"op\":\"pong\"}");
      tcp.send("{\"op\":\"ping\"}");
      assertThat(tcp.read()).as("TCP still serves").isEqualTo("{\"op\":\"pong\"}");
      assertThat(log.events()).as("nothing logged at WARN+ for bad client input").isEmpty();
    }
  }

  /** One HTTP/1.1 response with a Content-Length body. */
  static String readResponse(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c == -1) {
        return head.toString();
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
