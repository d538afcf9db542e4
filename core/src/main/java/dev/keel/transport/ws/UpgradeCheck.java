package dev.keel.transport.ws;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Base64;

/**
 * The opening handshake as RFC 6455 §4.2.1 requires it of a client, checked before Netty's
 * handshaker (which checks less): a GET over HTTP/1.1 or later, a Host, {@code Upgrade: websocket},
 * a {@code Connection} with the {@code upgrade} token, and a {@code Sec-WebSocket-Key} that is the
 * base64 of 16 bytes. The version is left to the caller (a wrong one gets 426, not 400).
 */
final class UpgradeCheck {
  private UpgradeCheck() {}

  /** Why {@code req} is not a valid upgrade request, in words for its 400; null when it is one. */
  static String problem(FullHttpRequest req) {
    HttpHeaders h = req.headers();
    if (!HttpMethod.GET.equals(req.method())) {
      return "takes a WebSocket upgrade: GET";
    }
    HttpVersion v = req.protocolVersion();
    if (v.majorVersion() < 1 || (v.majorVersion() == 1 && v.minorVersion() < 1)) {
      return "a WebSocket upgrade needs HTTP/1.1";
    }
    if (!h.contains(HttpHeaderNames.HOST)) {
      return "a WebSocket upgrade needs a Host header";
    }
    if (!hasToken(h.getAll(HttpHeaderNames.UPGRADE), "websocket")) {
      return "takes a WebSocket upgrade: Upgrade: websocket";
    }
    if (!hasToken(h.getAll(HttpHeaderNames.CONNECTION), "upgrade")) {
      return "a WebSocket upgrade needs Connection: Upgrade";
    }
    if (!validKey(h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
      return "Sec-WebSocket-Key must be the base64 of 16 bytes";
    }
    return null;
  }

  /** Whether a comma-separated header (over all its lines) holds {@code token}, in any case. */
  private static boolean hasToken(java.util.List<String> values, String token) {
    for (String v : values) {
      for (String t : v.split(",")) {
        if (t.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** 24 characters of standard base64, padded, decoding to 16 bytes (§4.1: "a randomly selected 16-byte value"). */
  static boolean validKey(String key) {
    if (key == null) {
      return false;
    }
    String k = key.trim();
    if (k.length() != 24 || !k.endsWith("==")) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(k).length == 16;
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  /**
   * The connect token of an upgrade: {@code Authorization: Bearer T}, or the {@code token} query
   * parameter (a browser cannot set headers on a WebSocket).
   */
  static String token(FullHttpRequest req) {
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    var values = new QueryStringDecoder(req.uri()).parameters().get("token");
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** With {@code allowed-origins} set, a browser's upgrade must come from one of them (exact match). */
  static boolean originAllowed(FullHttpRequest req, java.util.List<String> allowed) {
    if (allowed.isEmpty()) {
      return true;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    return origin != null && allowed.contains(origin);
  }
}
