package dev.keel.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.session.CloseCause;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.PeerIdentity;
import dev.keel.session.Session;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Connection-level authentication, a decorator of the application's {@link ConnectionHandler} when a
 * verifier is configured. It owns who each connection is and when its token expires:
 * <ul>
 *   <li>{@code {"op":"auth","token":T}} verifies T and answers {@code {"op":"authenticated","sub":S,"exp":E}};
 *       on a connection that already has a token it refreshes it (same subject only), postponing the
 *       expiry close;</li>
 *   <li>a connection without a valid token (framed TCP before its auth frame) gets
 *       {@code error unauthorized} and is closed: the first frame must be the auth request;</li>
 *   <li>when the token expires, unrefreshed, the connection is closed with 1008 {@code token expired}.
 *       The timer is a task on the connection's event loop, its delay read from the injected clock.</li>
 * </ul>
 * Runs on the connection's event loop, after the rate limit (a flood of auth frames is throttled like
 * any other). Only frames that mention {@code "auth"} are parsed here.
 */
public final class AuthGate implements ConnectionHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] AUTH = "\"auth\"".getBytes(StandardCharsets.US_ASCII);

  private final ConnectionHandler inner;
  private final TokenVerifier verifier;
  private final Clock clock;

  public AuthGate(ConnectionHandler inner, TokenVerifier verifier, Clock clock) {
    this.inner = inner;
    this.verifier = verifier;
    this.clock = clock;
  }

  /** The verifier, for a transport that checks a token during its own handshake (WebSocket upgrade). */
  public TokenVerifier verifier() {
    return verifier;
  }

  /**
   * The identity to open a session with after a handshake that carried a valid token; the gate arms
   * its expiry when the session opens.
   */
  public static PeerIdentity admitted(Identity identity) {
    return new Proved(identity);
  }

  /** One connection's proved identity and its expiry timer; touched on the connection's loop. */
  private static final class Proved implements PeerIdentity {
    private volatile Identity current;
    private ScheduledFuture<?> expiry;

    Proved(Identity current) {
      this.current = current;
    }

    @Override
    public String subject() {
      return current.subject();
    }

    @Override
    public Instant expiresAt() {
      return current.expiresAt();
    }

    @Override
    public boolean maySubscribe(String topic) {
      return current.maySubscribe(topic);
    }

    @Override
    public boolean mayPublish(String topic) {
      return current.mayPublish(topic);
    }

    void cancelExpiry() {
      if (expiry != null) {
        expiry.cancel(false);
        expiry = null;
      }
    }
  }

  @Override
  public void onOpen(Session session) {
    if (session.identity() instanceof Proved p) {
      armExpiry(session, p);
    }
    inner.onOpen(session);
  }

  @Override
  public void onMessage(Session session, byte[] payload, boolean binary) {
    if (!intercept(session, payload, binary)) {
      inner.onMessage(session, payload, binary);
    }
  }

  @Override
  public void onClose(Session session, CloseCause cause) {
    if (session.identity() instanceof Proved p) {
      p.cancelExpiry();
    }
    inner.onClose(session, cause);
  }

  private void armExpiry(Session s, Proved p) {
    p.cancelExpiry();
    long delayMs = Math.max(1, p.expiresAt().toEpochMilli() - clock.millis());
    p.expiry = s.eventLoop().schedule(() -> {
      p.expiry = null;
      s.close(CloseCause.TOKEN_EXPIRED);
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  /** Returns true when the gate answered the message and the application must not see it. */
  private boolean intercept(Session s, byte[] payload, boolean binary) {
    Proved proved = s.identity() instanceof Proved p ? p : null;
    if (!binary && contains(payload, AUTH)) {
      JsonNode request = parse(payload);
      if (request != null && "auth".equals(request.path("op").asText(null))) {
        JsonNode id = request.get("id");
        JsonNode token = request.get("token");
        try {
          Identity identity = verifier.verify(token == null || !token.isTextual() ? null : token.textValue());
          if (proved != null && !Objects.equals(identity.subject(), proved.subject())) {
            reply(s, error("forbidden", "a refreshed token must be for the same subject", id));
            return true;
          }
          if (proved == null) {
            proved = new Proved(identity);
            s.identify(proved);
          } else {
            proved.current = identity;
          }
          armExpiry(s, proved);
          ObjectNode ok = JSON.createObjectNode().put("op", "authenticated").put("sub", identity.subject())
              .put("exp", identity.expiresAt().getEpochSecond());
          if (id != null) {
            ok.set("id", id);
          }
          reply(s, ok);
        } catch (InvalidTokenException e) {
          reply(s, error("unauthorized", e.getMessage(), id));
          if (proved == null) {
            s.close(CloseCause.UNAUTHORIZED);
          }
        }
        return true;
      }
    }
    if (proved == null) {
      reply(s, error("unauthorized", "authenticate first: send {\"op\":\"auth\",\"token\":...}", null));
      s.close(CloseCause.UNAUTHORIZED);
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
