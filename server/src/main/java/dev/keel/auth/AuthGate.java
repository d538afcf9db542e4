package dev.keel.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.session.CloseReason;
import dev.keel.session.Session;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Connection-level authentication, ahead of the application, when a verifier is configured:
 * <ul>
 *   <li>{@code {"op":"auth","token":T}} verifies T and answers {@code {"op":"authenticated","sub":S,"exp":E}};
 *       on a connection that already has a token it refreshes it (same subject only), postponing the
 *       expiry close;</li>
 *   <li>a connection without a valid token (framed TCP before its auth frame) gets
 *       {@code error unauthorized} and is closed: the first frame must be the auth request.</li>
 * </ul>
 * Runs on the connection's event loop, after the rate limit (a flood of auth frames is throttled like
 * any other). Only frames that mention {@code "auth"} are parsed here.
 */
public final class AuthGate {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] AUTH = "\"auth\"".getBytes(StandardCharsets.US_ASCII);

  private AuthGate() {}

  /** Returns true when the gate answered the message and the application must not see it. */
  public static boolean intercept(Session s, TokenVerifier verifier, byte[] payload, boolean binary) {
    boolean authenticated = s.principal() != null;
    if (!binary && contains(payload, AUTH)) {
      JsonNode request = parse(payload);
      if (request != null && "auth".equals(request.path("op").asText(null))) {
        JsonNode id = request.get("id");
        JsonNode token = request.get("token");
        try {
          Principal p = verifier.verify(token == null || !token.isTextual() ? null : token.textValue());
          if (authenticated && !Objects.equals(p.subject(), s.principal().subject())) {
            reply(s, error("forbidden", "a refreshed token must be for the same subject", id));
            return true;
          }
          s.principal(p);
          ObjectNode ok = JSON.createObjectNode().put("op", "authenticated").put("sub", p.subject())
              .put("exp", p.expiresAt().getEpochSecond());
          if (id != null) {
            ok.set("id", id);
          }
          reply(s, ok);
        } catch (InvalidTokenException e) {
          reply(s, error("unauthorized", e.getMessage(), id));
          if (!authenticated) {
            s.close(CloseReason.UNAUTHORIZED);
          }
        }
        return true;
      }
    }
    if (!authenticated) {
      reply(s, error("unauthorized", "authenticate first: send {\"op\":\"auth\",\"token\":...}", null));
      s.close(CloseReason.UNAUTHORIZED);
      return true;
    }
    return false;
  }

  private static ObjectNode error(String code, String message, JsonNode id) {
    ObjectNode e = JSON.createObjectNode().put("op", "error").put("code", code).put("message", message);
    if (id != null) {
      e.set("id", id);
    }
    return e;
  }

  private static void reply(Session s, JsonNode json) {
    try {
      s.reply(Unpooled.wrappedBuffer(JSON.writeValueAsBytes(json)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(byte[] payload) {
    try {
      JsonNode n = JSON.readTree(payload);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
