package dev.keel.pubsub;

import dev.keel.config.CoreOptions;
import dev.keel.serve.ServeOptions;
import dev.keel.spi.Extension;
import dev.keel.spi.Host;
import dev.keel.spi.HttpExchange;
import dev.keel.spi.HttpRoute;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code POST /api/publish}: {@code {"topic":T,"data":ANY}} answered {@code {"delivered":N}}, as an
 * opt-in route on the public listener ({@code keel serve} adds it; an embedded application gets it
 * only if it asks). With {@code api-key} set, a request must carry {@code Authorization: Bearer KEY}, and
 * one that does is not held to {@code connect-rate-per-ip} (a backend publishing without keep-alive).
 *
 * <p>It is no target for cross-site request forgery: a request must say {@code Content-Type:
 * application/json}, which a page on another site can only send after a CORS preflight this server
 * never grants (a form or a "simple" fetch sends {@code text/plain}, a form encoding, or none: 415);
 * and an {@code Origin}, when the client sends one (browsers do, servers do not), must be in
 * {@code allowed-origins} when that is set (403).
 *
 * <p>Usage: {@code Keel.builder().handler(h).extension(new PublishRoute()).build().start()}
 */
public final class PublishRoute implements Extension {
  public static final String PATH = "/api/publish";

  private Host host;
  private byte[] expectedAuthorization;
  private List<String> allowedOrigins;

  @Override
  public void start(Host host) {
    this.host = host;
    String key = host.config().get(ServeOptions.API_KEY);
    this.expectedAuthorization = key == null ? null : ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
    this.allowedOrigins = host.config().get(CoreOptions.ALLOWED_ORIGINS);
    HttpRoute route = new HttpRoute(PATH, this::handle);
    // A backend with the API key may open a connection per request: the connect rate is for browsers.
    host.route(expectedAuthorization == null ? route : route.exemptFromConnectRate(this::apiKeyPresented));
  }

  private void handle(HttpExchange x) {
    if (!"POST".equals(x.method())) {
      x.respond(405, "{\"error\":\"bad_request\",\"message\":\"use POST\"}");
      return;
    }
    if (!isJson(x.header("Content-Type"))) {
      x.respond(415, "{\"error\":\"unsupported_media_type\",\"message\":\"send the body with Content-Type: application/json\"}");
      return;
    }
    String origin = x.header("Origin");
    if (origin != null && !allowedOrigins.isEmpty() && !allowedOrigins.contains(origin)) {
      x.respond(403, "{\"error\":\"forbidden\",\"message\":\"origin not allowed\"}");
      return;
    }
    if (!apiKeyPresented(x)) {
      x.respond(401, "{\"error\":\"unauthorized\",\"message\":\"send Authorization: Bearer <api-key>\"}");
      return;
    }
    Protocol.Request r;
    try {
      r = Protocol.parsePublishBody(x.body());
    } catch (ProtocolException e) {
      x.respond(400, "{\"error\":\"" + e.code() + "\",\"message\":" + quote(e.getMessage()) + "}");
      return;
    }
    host.publish(r.topic(), Protocol.compact(r.data()),
        delivered -> x.respond(200, "{\"delivered\":" + delivered + "}"),
        reason -> x.respond(503, "{\"error\":\"unavailable\",\"message\":" + quote(reason) + "}"));
  }

  /** {@code application/json}, in any case, with or without parameters ({@code ; charset=utf-8}). */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return type.equalsIgnoreCase("application/json");
  }

  /** Constant-time comparison: the time taken says nothing about how much of the key matched. */
  private boolean apiKeyPresented(HttpExchange x) {
    if (expectedAuthorization == null) {
      return true;
    }
    String given = x.header("Authorization");
    return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
  }

  private static String quote(String s) {
    return Protocol.JSON.getNodeFactory().textNode(s).toString();
  }

  @Override
  public void close() {
    // nothing to stop: the route goes with the listener
  }
}
