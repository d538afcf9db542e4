package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Connect tokens on both transports: who may connect, subscribe and publish, and for how long. */
class AuthIT {
  private static final String SECRET = "auth-it-secret-0123456789abcdefgh";
  private static Running server;

  @BeforeAll
  static void start() {
    server = Servers.start(b -> b.set(CoreOptions.AUTH_HMAC_SECRET, SECRET).set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofSeconds(2)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String token(String subject, Duration life, String secret) {
    try {
      JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject)
          .expirationTime(Date.from(Instant.now().plus(life)))
          .claim("keel", Map.of("sub", List.of("news.*", "user." + subject + ".>"), "pub", List.of("chat.*")))
          .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String token(String subject, Duration life) {
    return token(subject, life, SECRET);
  }

  @Test
  void webSocketTokenInQueryOrHeaderIsAcceptedAndBadOnesGet401() throws Exception {
    try (WsClient ws = WsClient.connect(server.wsPort(), "?token=" + token("alice", Duration.ofMinutes(5)))) {
      ws.send("{\"op\":\"ping\"}");
      assertThat(ws.next()).as("query-parameter token").isEqualTo("{\"op\":\"pong\"}");
    }
    try (RawWebSocket raw = RawWebSocket.connect(server.wsPort(),
        "Authorization: Bearer " + token("alice", Duration.ofMinutes(5)) + "\r\n")) {
      raw.sendText("{\"op\":\"ping\"}");
      assertThat(new String(raw.readFrame().payload(), StandardCharsets.UTF_8)).as("header token").isEqualTo("{\"op\":\"pong\"}");
    }
    assertThatThrownBy(() -> RawWebSocket.connect(server.wsPort())).as("no token").hasMessageContaining("HTTP/1.1 401");
    assertThatThrownBy(() -> RawWebSocket.connect(server.wsPort(),
        "Authorization: Bearer " + token("alice", Duration.ofSeconds(-10)) + "\r\n"))
        .as("expired token").hasMessageContaining("HTTP/1.1 401");
    assertThatThrownBy(() -> RawWebSocket.connect(server.wsPort(),
        "Authorization: Bearer " + token("alice", Duration.ofMinutes(5), "another-secret-0123456789abcdefghij") + "\r\n"))
        .as("wrong signature").hasMessageContaining("HTTP/1.1 401");
    assertThat(server.reserved()).as("refused upgrades hold no slot").isZero();
  }

  @Test
  void tcpFirstFrameMustBeAValidAuth() {
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"auth\",\"token\":\"" + token("bob", Duration.ofMinutes(5)) + "\",\"id\":1}");
      JsonNode ok = tcp.readJson();
      assertThat(ok.get("op").asText()).isEqualTo("authenticated");
      assertThat(ok.get("sub").asText()).isEqualTo("bob");
      assertThat(ok.get("id").asInt()).isEqualTo(1);
      tcp.send("{\"op\":\"ping\"}");
      assertThat(tcp.read()).isEqualTo("{\"op\":\"pong\"}");
    }
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"ping\"}");
      assertThat(tcp.readJson().get("code").asText()).as("a request before auth").isEqualTo("unauthorized");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).as("then closed").isTrue();
    }
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"auth\",\"token\":\"" + token("bob", Duration.ofMinutes(5), "another-secret-0123456789abcdefghij") + "\"}");
      JsonNode e = tcp.readJson();
      assertThat(e.get("code").asText()).isEqualTo("unauthorized");
      assertThat(e.get("message").asText()).isEqualTo("bad signature");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"auth\",\"token\":\"" + token("bob", Duration.ofSeconds(-10)) + "\"}");
      assertThat(tcp.readJson().get("message").asText()).as("expired token over TCP").isEqualTo("token expired");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.heartbeat(); // a heartbeat is not authentication
      assertThat(tcp.readJson().get("code").asText()).as("no auth within the handshake timeout").isEqualTo("handshake_timeout");
      assertThat(tcp.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void permissionsLimitSubscribeAndPublishAndKeepTheConnection() {
    try (WsClient ws = WsClient.connect(server.wsPort(), "?token=" + token("carol", Duration.ofMinutes(5)))) {
      ws.send("{\"op\":\"sub\",\"topic\":\"news.eu\"}");
      assertThat(ws.nextJson().get("op").asText()).as("news.* allows news.eu").isEqualTo("subscribed");
      ws.send("{\"op\":\"sub\",\"topic\":\"user.carol.inbox\"}");
      assertThat(ws.nextJson().get("op").asText()).as("user.carol.> allows her inbox").isEqualTo("subscribed");
      ws.send("{\"op\":\"sub\",\"topic\":\"user.dave.inbox\",\"id\":2}");
      JsonNode e = ws.nextJson();
      assertThat(e.get("code").asText()).as("another user's inbox").isEqualTo("forbidden");
      assertThat(e.get("id").asInt()).isEqualTo(2);
      ws.send("{\"op\":\"pub\",\"topic\":\"news.eu\",\"data\":1}");
      assertThat(ws.nextJson().get("code").asText()).as("may read news, not write it").isEqualTo("forbidden");
      ws.send("{\"op\":\"pub\",\"topic\":\"chat.lobby\",\"data\":1,\"id\":3}");
      assertThat(ws.next()).as("chat.* allows publishing").isEqualTo("{\"op\":\"ok\",\"id\":3}");
      assertThat(ws.isClosed()).as("forbidden never closes").isFalse();
    }
  }

  @Test
  void anExpiringTokenClosesWith1008UnlessRefreshed() {
    try (WsClient expiring = WsClient.connect(server.wsPort(), "?token=" + token("erin", Duration.ofSeconds(2)));
        WsClient refreshed = WsClient.connect(server.wsPort(), "?token=" + token("erin", Duration.ofSeconds(2)))) {
      refreshed.send("{\"op\":\"auth\",\"token\":\"" + token("erin", Duration.ofMinutes(5)) + "\"}");
      assertThat(refreshed.nextJson().get("op").asText()).isEqualTo("authenticated");
      refreshed.send("{\"op\":\"auth\",\"token\":\"" + token("mallory", Duration.ofMinutes(5)) + "\"}");
      assertThat(refreshed.nextJson().get("code").asText()).as("refresh as someone else").isEqualTo("forbidden");

      WsClient.Closed closed = expiring.awaitClose(Duration.ofSeconds(15));
      assertThat(closed.code()).as("close code at expiry").isEqualTo(1008);
      assertThat(closed.reason()).isEqualTo("token expired");
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !refreshed.isClosed());
      refreshed.send("{\"op\":\"ping\"}");
      assertThat(refreshed.next()).as("the refreshed connection outlives the first token").isEqualTo("{\"op\":\"pong\"}");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closed(CloseReason.TOKEN_EXPIRED) >= 1);
  }
  // ------------------------------------------------------------------ finding 6: the claims, checked

  /** A token signed with the test secret over exactly {@code payloadJson} (claims nimbus would not build). */
  static String rawToken(String payloadJson) {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String upgradeStatus(String token) throws Exception {
    RawWebSocket.Answer a = RawWebSocket.request(server.wsPort(), "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n");
    return a.status();
  }

  @Test
  void tokenNotYetValid_orIssuedInTheFuture_isRefused401() throws Exception {
    long now = Instant.now().getEpochSecond();
    assertThat(upgradeStatus(rawToken("{\"sub\":\"nina\",\"exp\":" + (now + 3600) + ",\"nbf\":" + (now + 600) + "}")))
        .as("nbf ten minutes ahead").startsWith("HTTP/1.1 401");
    assertThat(upgradeStatus(rawToken("{\"sub\":\"nina\",\"exp\":" + (now + 3600) + ",\"iat\":" + (now + 600) + "}")))
        .as("iat ten minutes ahead").startsWith("HTTP/1.1 401");
    assertThat(upgradeStatus(rawToken("{\"sub\":\"nina\",\"exp\":" + (now + 3600) + ",\"nbf\":" + (now + 5)
        + ",\"iat\":" + (now + 5) + "}"))).as("nbf and iat a few seconds ahead: within the leeway").startsWith("HTTP/1.1 101");
    assertThat(upgradeStatus(rawToken("{\"sub\":\"nina\",\"exp\":" + (now + 3600) + ",\"nbf\":" + (now - 60)
        + ",\"iat\":" + (now - 60) + "}"))).as("nbf and iat in the past").startsWith("HTTP/1.1 101");
  }

  @Test
  void tokenWithoutAStringSubject_isRefused401() throws Exception {
    long exp = Instant.now().getEpochSecond() + 3600;
    assertThat(upgradeStatus(rawToken("{\"exp\":" + exp + "}"))).as("no sub").startsWith("HTTP/1.1 401");
    assertThat(upgradeStatus(rawToken("{\"sub\":42,\"exp\":" + exp + "}"))).as("a number as sub").startsWith("HTTP/1.1 401");
    assertThat(upgradeStatus(rawToken("{\"sub\":\"\",\"exp\":" + exp + "}"))).as("an empty sub").startsWith("HTTP/1.1 401");
    assertThat(upgradeStatus(rawToken("{\"sub\":[\"a\"],\"exp\":" + exp + "}"))).as("an array as sub").startsWith("HTTP/1.1 401");
  }

  @Test
  void signatureNotInCanonicalBase64url_isRefused401() throws Exception {
    String good = token("oscar", Duration.ofMinutes(5));
    assertThat(upgradeStatus(good)).as("the token as issued").startsWith("HTTP/1.1 101");
    assertThat(upgradeStatus(good + "=")).as("the signature with = padding").startsWith("HTTP/1.1 401");
    String sig = good.substring(good.lastIndexOf('.') + 1);
    String standard = good.substring(0, good.lastIndexOf('.') + 1) + sig.replace('-', '+').replace('_', '/');
    if (!standard.equals(good)) {
      assertThat(upgradeStatus(standard)).as("the signature in standard (not url) base64").startsWith("HTTP/1.1 401");
    }
    // The last character of 43 carries 2 unused bits: a different one with the same 4 used bits decodes the same.
    char last = sig.charAt(sig.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char twin = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    assertThat(upgradeStatus(good.substring(0, good.length() - 1) + twin))
        .as("a signature whose unused trailing bits are set").startsWith("HTTP/1.1 401");
  }

  @Test
  void farFutureExp_isAcceptedAsValid() throws Exception {
    assertThat(upgradeStatus(rawToken("{\"sub\":\"pat\",\"exp\":9223372036854775808}"))).as("exp = 2^63")
        .startsWith("HTTP/1.1 101");
    assertThat(upgradeStatus(rawToken("{\"sub\":\"pat\",\"exp\":9223372036854775807}"))).as("exp = 2^63 - 1")
        .startsWith("HTTP/1.1 101");
    assertThat(upgradeStatus(rawToken("{\"sub\":\"pat\",\"exp\":1e300}"))).as("exp = 1e300").startsWith("HTTP/1.1 101");
    try (TcpClient tcp = TcpClient.connect(server.tcpPort())) {
      tcp.send("{\"op\":\"auth\",\"token\":\"" + rawToken("{\"sub\":\"pat\",\"exp\":9223372036854775808}") + "\"}");
      JsonNode ok = tcp.readJson();
      assertThat(ok.get("op").asText()).as("framed TCP auth with exp = 2^63").isEqualTo("authenticated");
      tcp.send("{\"op\":\"ping\"}");
      assertThat(tcp.read()).as("the connection serves").isEqualTo("{\"op\":\"pong\"}");
    }
  }
}
