package dev.keel.it;

import dev.keel.serve.ServeOptions;
import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.testing.Running;
import dev.keel.testing.Http;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Servers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Origin allow-list on the WebSocket upgrade, and the API key on HTTP publish. */
class AccessIT {
  @Test
  void originOutsideTheAllowListIsRefusedWith403() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.ALLOWED_ORIGINS, List.of("https://app.example.com")))) {
      assertThatThrownBy(() -> RawWebSocket.connect(server.wsPort(), "Origin: https://evil.example.net\r\n"))
          .as("foreign origin").hasMessageContaining("HTTP/1.1 403");
      assertThatThrownBy(() -> RawWebSocket.connect(server.wsPort()))
          .as("no origin at all, when a list is set").hasMessageContaining("HTTP/1.1 403");
      try (RawWebSocket ok = RawWebSocket.connect(server.wsPort(), "Origin: https://app.example.com\r\n")) {
        ok.sendText("{\"op\":\"ping\"}");
        RawWebSocket.Frame f = ok.readFrame();
        assertThat(new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8)).as("allowed origin is served")
            .isEqualTo("{\"op\":\"pong\"}");
      }
      assertThat(server.reserved()).as("refused upgrades hold no slot").isLessThanOrEqualTo(1);
    }
  }

  @Test
  void httpPublishNeedsTheApiKeyWhenOneIsSet() {
    String key = "publish-key-0123456789";
    try (Running server = Servers.start(b -> b.set(ServeOptions.API_KEY, key))) {
      String body = "{\"topic\":\"t\",\"data\":1}";
      assertThat(Http.post(server.wsPort(), "/api/publish", body).statusCode()).as("no key").isEqualTo(401);
      assertThat(Http.post(server.wsPort(), "/api/publish", body, "Authorization", "Bearer wrong-key-000000000")
          .statusCode()).as("wrong key").isEqualTo(401);
      assertThat(Http.post(server.wsPort(), "/api/publish", body, "Authorization", "Bearer " + key).statusCode())
          .as("right key").isEqualTo(200);
      assertThat(Http.get(server.wsPort(), "/healthz").statusCode()).as("health needs no key").isEqualTo(200);
    }
  }
  // ------------------------------------------------------------------ finding 7: cross-site publish

  @Test
  void crossSiteFormPosts_areRefused415_andDeliverNothing() throws Exception {
    try (Running server = Servers.start(b -> b);
        dev.keel.testing.TcpClient subscriber = dev.keel.testing.TcpClient.connect(server.tcpPort())) {
      subscriber.send("{\"op\":\"sub\",\"topic\":\"csrf\"}");
      subscriber.read();
      String body = "{\"topic\":\"csrf\",\"data\":\"forged\"}";
      // What a page on any site can make a browser send without a CORS preflight: a "simple" request.
      for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x")) {
        java.net.http.HttpResponse<String> r = Http.post(server.wsPort(), "/api/publish", body,
            "Content-Type", type, "Origin", "https://evil.example.net");
        assertThat(r.statusCode()).as("cross-site POST as " + type).isEqualTo(415);
        assertThat(r.body()).as("its JSON error").contains("\"error\":\"unsupported_media_type\"");
      }
      assertThat(Http.postRaw(server.wsPort(), "/api/publish", body).statusCode()).as("no Content-Type at all")
          .isEqualTo(415);
      subscriber.send("{\"op\":\"ping\"}");
      assertThat(subscriber.read()).as("the subscriber got no forged message, only its pong").isEqualTo("{\"op\":\"pong\"}");
      assertThat(Http.post(server.wsPort(), "/api/publish", body, "Content-Type", "application/json; charset=utf-8")
          .statusCode()).as("a JSON publish").isEqualTo(200);
    }
  }

  @Test
  void httpPublishFromAForeignOrigin_isRefused403_whenAllowedOriginsIsSet() {
    try (Running server = Servers.start(b -> b.set(CoreOptions.ALLOWED_ORIGINS, List.of("https://app.example.com")))) {
      String body = "{\"topic\":\"t\",\"data\":1}";
      assertThat(Http.post(server.wsPort(), "/api/publish", body, "Content-Type", "application/json",
          "Origin", "https://evil.example.net").statusCode()).as("foreign Origin").isEqualTo(403);
      assertThat(Http.post(server.wsPort(), "/api/publish", body, "Content-Type", "application/json",
          "Origin", "https://app.example.com").statusCode()).as("allowed Origin").isEqualTo(200);
      assertThat(Http.post(server.wsPort(), "/api/publish", body, "Content-Type", "application/json").statusCode())
          .as("no Origin (a server, not a browser)").isEqualTo(200);
    }
  }
}
