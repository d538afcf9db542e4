package dev.keel.client;

/**
 * Why a connection ended (or could not start), from the close code and reason, the upgrade's HTTP
 * status, or the client's own liveness check. Drives the reconnect decision.
 */
public enum CloseKind {
  /** 1000: closed normally (by {@link KeelClient#close()}, or the server echoing a close). */
  NORMAL,
  /** 1001 {@code going away}: the server is shutting down; another node (or the restarted one) is tried. */
  GOING_AWAY,
  /** 1001 {@code idle timeout}: the server heard nothing for its idle timeout. */
  IDLE_TIMEOUT,
  /** 1008 {@code slow consumer}: this client did not read fast enough; reconnects and recovers. */
  SLOW_CONSUMER,
  /** 503 at the upgrade, 1013, or 1008 {@code server overloaded}: backs off longer. */
  OVERLOADED,
  /** 1008 {@code token expired}: a fresh token is asked for and the client reconnects at once. */
  TOKEN_EXPIRED,
  /** 1008 {@code rate limit}: this client sent faster than the server's rate limit. */
  RATE_LIMITED,
  /** 1009: a message over the server's max-message-size. */
  TOO_LARGE,
  /** 401 at the upgrade: the token was refused; the client stops. */
  UNAUTHORIZED,
  /** 403 at the upgrade (an Origin or path refused); the client stops. */
  FORBIDDEN,
  /** No answer to the client's ping within {@code pingTimeout}: the connection is presumed dead. */
  LIVENESS,
  /** The connection failed or was reset with no close frame (1006), or could not be opened. */
  CONNECTION_LOST,
  /** 1002, 1007, 1011 or anything else. */
  OTHER;

  /** The kind of a close frame. */
  static CloseKind of(int code, String reason) {
    String r = reason == null ? "" : reason;
    return switch (code) {
      case 1000 -> NORMAL;
      case 1001 -> r.contains("idle") ? IDLE_TIMEOUT : GOING_AWAY;
      case 1008 -> r.contains("slow") ? SLOW_CONSUMER : r.contains("overloaded") ? OVERLOADED
          : r.contains("token") ? TOKEN_EXPIRED : r.contains("rate") ? RATE_LIMITED : OTHER;
      case 1009 -> TOO_LARGE;
      case 1013 -> OVERLOADED;
      case 1006 -> CONNECTION_LOST;
      default -> OTHER;
    };
  }

  /** The kind of an upgrade refused with {@code status}. */
  static CloseKind ofStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 503, 429 -> OVERLOADED;
      default -> CONNECTION_LOST;
    };
  }

  /** Whether the client gives up instead of reconnecting. */
  boolean stops() {
    return this == UNAUTHORIZED || this == FORBIDDEN;
  }
}
