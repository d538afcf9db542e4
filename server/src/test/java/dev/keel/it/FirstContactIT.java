package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.serve.ServeOptions;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a newcomer tries first: a development token from `keel token`, a backend publishing without keep-alive. */
class FirstContactIT {
  private static final String SECRET = "first-contact-secret-of-32-bytes!!";
  private static final String API_KEY = "first-contact-api-key";

  /** Runs the real command line in its own JVM; returns its stdout. */
  private static String keel(String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.keel.cli.Main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("keel %s finished", String.join(" ", args)).isTrue();
    assertThat(p.exitValue()).as("exit code of keel %s", String.join(" ", args)).isZero();
    return out;
  }

  @Test
  void keelToken_connectsToAServerWithTheSecret_andItsPatternsAreWhatItSays() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.AUTH_HMAC_SECRET, SECRET))) {
      String token = keel("token", "--auth-hmac-secret", SECRET, "--sub", "alice", "--subscribe", "news.*",
          "--publish", "news.*", "--ttl", "10m").trim();
      try (WsClient ws = WsClient.connect(server.wsPort(), "?token=" + token)) {
        ws.send("{\"op\":\"sub\",\"topic\":\"news.eu\"}");
        assertThat(ws.nextJson().get("op").asText()).as("a topic its pattern allows").isEqualTo("subscribed");
        ws.send("{\"op\":\"sub\",\"topic\":\"sport\"}");
        assertThat(ws.nextJson().get("code").asText()).as("a topic it does not").isEqualTo("forbidden");
      }
    }
  }

  /** One request on its own connection (Connection: close), as a backend without keep-alive sends it. */
  private static int publishOnANewConnection(int port, String authorization) throws IOException {
    byte[] body = "{\"topic\":\"news\",\"data\":{\"text\":\"hi\"}}".getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      String head = "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
          + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
          + "Content-Length: " + body.length + "\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(body);
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.write(c);
      }
      String status = line.toString(StandardCharsets.US_ASCII);
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void httpPublishWithTheApiKey_isNotHeldToTheConnectRate_withoutItIs() throws Exception {
    try (Running server = Servers.start(b -> b.set(ServeOptions.API_KEY, API_KEY)
        .set(CoreOptions.CONNECT_RATE_PER_IP, 1).set(CoreOptions.CONNECT_BURST_PER_IP, 2))) {
      for (int i = 0; i < 30; i++) {
        assertThat(publishOnANewConnection(server.wsPort(), "Bearer " + API_KEY))
            .as("publish %d with the API key, each on a new connection", i).isEqualTo(200);
      }
      assertThat(server.closed(CloseReason.CONNECT_RATE)).as("none of them counted as refused").isZero();
      int refused = 0;
      for (int i = 0; i < 5; i++) {
        int status = publishOnANewConnection(server.wsPort(), "Bearer wrong-key-of-enough-length");
        assertThat(status).as("a wrong key: 401 within the rate, 503 past it").isIn(401, 503);
        refused += status == 503 ? 1 : 0;
      }
      assertThat(refused).as("a wrong key is held to the connect rate").isPositive();
      assertThat(server.closed(CloseReason.CONNECT_RATE)).as("and counted").isEqualTo(refused);
    }
  }
}
