package dev.keel.client;

import java.time.Duration;

/**
 * What happened to a {@link KeelClient}, told to its event listener in order, on the client's thread.
 *
 * <p>Usage: {@code .onEvent(e -> { if (e instanceof ClientEvent.Subscribed s && !s.recovered()) resync(s.topic()); })}
 */
public sealed interface ClientEvent {
  /** A connection is open (and authenticated: the token went with the upgrade). */
  record Connected(int attempt) implements ClientEvent {}

  /** The connection ended; {@code code} is the close code (1006 when there was none). */
  record Disconnected(int code, String reason, CloseKind kind) implements ClientEvent {}

  /** The next attempt comes after {@code delay}. */
  record Reconnecting(int attempt, Duration delay, CloseKind cause) implements ClientEvent {}

  /**
   * A subscription was (re)made. {@code attempted}: the client asked to recover from where it was;
   * {@code recovered}: every missed message follows. When attempted and not recovered, {@code reason}
   * says why (epoch_changed, too_far_behind, expired, no_history, ...): resync from your source of truth.
   */
  record Subscribed(String topic, String epoch, long seq, boolean attempted, boolean recovered, String reason)
      implements ClientEvent {}

  /** The server refused a subscription (forbidden, limit_exceeded); the topic is dropped. */
  record SubscribeFailed(String topic, String code, String message) implements ClientEvent {}

  /** Messages {@code expected} to {@code received - 1} of the topic never came (a drop policy, a cut history). */
  record Gap(String topic, long expected, long received) implements ClientEvent {}

  /** A publish made while offline did not fit the offline buffer of {@code bound} messages; its future failed. */
  record BufferOverflow(String topic, int bound) implements ClientEvent {}

  /** A subscription's handler threw; the message counts as delivered (it is not given again). */
  record HandlerFailed(String topic, long seq, Throwable error) implements ClientEvent {}

  /** The token was refreshed on the open connection. */
  record TokenRefreshed(long expiresAtEpochSecond) implements ClientEvent {}

  /** An error reply the client could not pin on a request of its own. */
  record ServerError(String code, String message) implements ClientEvent {}

  /** The client stopped for good: closed, or refused (401, 403). */
  record Stopped(CloseKind kind, String why) implements ClientEvent {}
}
