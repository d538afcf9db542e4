package dev.keel.session;

import java.util.Locale;

/**
 * Why a connection ended, in the connection layer. Each cause carries how it is told to the peer: a
 * WebSocket close code and reason, and for framed TCP the {@code error} code sent before the socket
 * closes (null: none). The embedding API reports it to handlers as {@code dev.keel.api.CloseReason}.
 */
public enum CloseCause {
  /** The peer closed, reset, or sent a close frame. */
  CLIENT(1000, "", null),
  IDLE_TIMEOUT(1001, "idle timeout", "idle_timeout"),
  HANDSHAKE_TIMEOUT(1001, "handshake timeout", "handshake_timeout"),
  /** An HTTP request did not arrive in full within the request timeout (HTTP only: no session has it). */
  REQUEST_TIMEOUT(1001, "request timeout", null),
  /** The outbound queue overflowed under the {@code disconnect} policy. */
  SLOW_CONSUMER(1008, "slow consumer", "slow_consumer"),
  /** Queued outbound data made no progress for the write timeout. */
  WRITE_TIMEOUT(1008, "slow consumer", "slow_consumer"),
  TOO_LARGE(1009, "message too big", "too_large"),
  RATE_LIMIT(1008, "rate limit", "rate_limited"),
  /** {@code max-connections} (a session refused), or {@code max-sockets} (a socket closed at accept). */
  SERVER_FULL(1013, "try again later", "limit_exceeded"),
  /** The address already has max-connections-per-ip open. */
  IP_LIMIT(1013, "try again later", "limit_exceeded"),
  /** The address connects faster than connect-rate-per-ip. */
  CONNECT_RATE(1013, "try again later", "limit_exceeded"),
  SHUTDOWN(1001, "going away", "shutdown"),
  /** Shed by the memory budget: among the connections holding the most when the shed mark was passed. */
  OVERLOADED(1008, "server overloaded", "overloaded"),
  /** Refused while the memory budget is above its high mark (a TCP connection at accept, an upgrade 503). */
  OVERLOAD_REFUSED(1013, "try again later", "overloaded"),
  /** A frame it began did not complete within the frame timeout. */
  TOO_SLOW(1008, "too slow", "too_slow"),
  /** The connect token expired and was not refreshed in time. */
  TOKEN_EXPIRED(1008, "token expired", "token_expired"),
  /** Authentication is required and the first frame did not carry a valid token (framed TCP). */
  UNAUTHORIZED(1008, "unauthorized", null), // the specific error goes out just before the close
  /**
   * A PROXY protocol header where none may be (from a peer not in trusted-proxies), none where one must
   * be (from a trusted proxy, on a proxy-protocol listener), or a malformed one. Never an open session.
   */
  PROXY_PROTOCOL(1008, "proxy protocol", null),
  /** The peer broke the WebSocket protocol (bad framing, unmasked frame, ...). */
  PROTOCOL_ERROR(1002, "protocol error", "bad_request"),
  /** A WebSocket text message (or close reason) that is not UTF-8 (RFC 6455 §8.1). */
  INVALID_PAYLOAD(1007, "invalid utf-8", "bad_request"),
  /** A protocol violation or an internal failure; never carries details to the peer. */
  ERROR(1011, "internal error", "internal");

  private final int wsCode;
  private final String wsReason;
  private final String tcpErrorCode;

  CloseCause(int wsCode, String wsReason, String tcpErrorCode) {
    this.wsCode = wsCode;
    this.wsReason = wsReason;
    this.tcpErrorCode = tcpErrorCode;
  }

  public int wsCode() {
    return wsCode;
  }

  public String wsReason() {
    return wsReason;
  }

  /** The {@code error} code a framed-TCP peer gets before the close, or null for none. */
  public String tcpErrorCode() {
    return tcpErrorCode;
  }

  /**
   * The label used in logs and metrics: {@code client}, {@code idle_timeout}, {@code slow_consumer},
   * ... A protocol violation (bad framing or invalid UTF-8) counts as {@code error}.
   */
  public String label() {
    return this == PROTOCOL_ERROR || this == INVALID_PAYLOAD ? "error" : name().toLowerCase(Locale.ROOT);
  }

  /** Every label, in declaration order, each once (the metrics contract). */
  public static java.util.List<String> labels() {
    return java.util.Arrays.stream(values()).map(CloseCause::label).distinct().toList();
  }

  /** Whether queued data is flushed before the close frame (a drain) rather than discarded. */
  boolean flushesFirst() {
    return this == SHUTDOWN;
  }
}
