package dev.keel.api;


/**
 * Your application on one kind of connection. Every call runs on a virtual thread, never on an
 * event loop, so a handler may block (a database call, a lock, a sleep). Calls for one connection
 * come one at a time and in order: {@code onOpen}, then each message as it arrived, then
 * {@code onClose} exactly once, after the last call returned or was interrupted.
 *
 * <p>An exception thrown from {@code onOpen} or {@code onMessage} closes the connection as an
 * internal error (WebSocket 1011, TCP {@code internal}). When the connection ends, the call in
 * progress is interrupted; so is a call that runs longer than {@code handler-timeout}.
 *
 * <p>Usage: {@code Keel.builder().handler((conn, msg) -> conn.send(msg.text())).build().start()}
 */
@FunctionalInterface
public interface Handler {
  /** The connection is established (WebSocket upgraded, or TCP accepted). */
  default void onOpen(Connection connection) throws Exception {}

  /** One inbound message. Blocking here stops this connection's reading once its inbound queue is full. */
  void onMessage(Connection connection, Message message) throws Exception;

  /**
   * The connection has ended, for {@code reason}; called once. The connection's scope is already
   * cancelled, and its attributes are cleared after this returns. Sends return {@code CLOSED}.
   * Called even when the connection ended before {@code onOpen} could run (then {@code onOpen} and
   * any queued messages are skipped).
   */
  default void onClose(Connection connection, CloseReason reason) {}
}
