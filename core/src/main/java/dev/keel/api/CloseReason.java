package dev.keel.api;

import java.util.Locale;

/**
 * Why a connection ended, as {@link Handler#onClose} hears it. Each reason has the WebSocket close
 * code the peer was sent (docs/protocol.md lists them, with the framed-TCP error codes).
 *
 * <p>Usage: {@code if (reason == CloseReason.SLOW_CONSUMER) { log.info("{} fell behind", conn); }}
 */
public enum CloseReason {
  /** The peer closed, reset, or sent a close frame; or the application closed it. */
  CLIENT(1000),
  IDLE_TIMEOUT(1001),
  HANDSHAKE_TIMEOUT(1001),
  /** An HTTP request did not arrive in time; counted for plain HTTP connections, never told to a handler. */
  REQUEST_TIMEOUT(1001),
  /** The outbound queue overflowed under the {@code disconnect} policy. */
  SLOW_CONSUMER(1008),
  /** Queued outbound data made no progress for the write timeout. */
  WRITE_TIMEOUT(1008),
  TOO_LARGE(1009),
  RATE_LIMIT(1008),
  /** {@code max-connections} reached (or, for a socket closed at accept, {@code max-sockets}). */
  SERVER_FULL(1013),
  /** The address already has max-connections-per-ip open. */
  IP_LIMIT(1013),
  /** The address connects faster than connect-rate-per-ip. */
  CONNECT_RATE(1013),
  SHUTDOWN(1001),
  /** Closed to bring the server back under its memory budget: it held the most (1008 server overloaded). */
  OVERLOADED(1008),
  /** Refused while the server was over its memory budget's high mark. */
  OVERLOAD_REFUSED(1013),
  /** A frame it began did not complete within the frame timeout (1008 too slow). */
  TOO_SLOW(1008),
  /** The connect token expired and was not refreshed in time. */
  TOKEN_EXPIRED(1008),
  /** Authentication is required and the first frame did not carry a valid token (framed TCP). */
  UNAUTHORIZED(1008),
  /** A PROXY protocol header refused (untrusted peer), missing (trusted proxy) or malformed; before any handler saw it. */
  PROXY_PROTOCOL(1008),
  /** The peer broke the WebSocket protocol (bad framing, unmasked frame, ...). */
  PROTOCOL_ERROR(1002),
  /** The peer sent a WebSocket text message that is not UTF-8 (close 1007). */
  INVALID_PAYLOAD(1007),
  /** A handler failed, or an internal error; the peer is never told details. */
  ERROR(1011);

  private final int wsCode;

  CloseReason(int wsCode) {
    this.wsCode = wsCode;
  }

  /** The WebSocket close code the peer was sent. */
  public int wsCode() {
    return wsCode;
  }

  /**
   * The label used in logs and metrics: {@code client}, {@code idle_timeout}, {@code slow_consumer},
   * ... A protocol violation (bad framing or invalid UTF-8) counts as {@code error}.
   */
  public String label() {
    return this == PROTOCOL_ERROR || this == INVALID_PAYLOAD ? "error" : name().toLowerCase(Locale.ROOT);
  }
}
