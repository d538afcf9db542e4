package dev.keel.session;

/**
 * The application on top of a connection. Keel's pub/sub protocol is one; an embedding API wraps
 * others. Called on the connection's event loop, one call at a time: an implementation must not block.
 *
 * <p>Usage: {@code new KeelServer(config, new PubSubHandler(...))}
 */
public interface ConnectionHandler {
  /** The connection is established (WebSocket upgraded, or TCP accepted). */
  void onOpen(Session session);

  /**
   * One inbound message, already an exact-size copy (it retains no pooled buffer).
   *
   * @param binary true for a WebSocket binary frame; framed TCP and WebSocket text frames are false
   */
  void onMessage(Session session, byte[] payload, boolean binary);

  /** Called exactly once, after the channel has closed, whatever the cause. */
  void onClose(Session session, CloseReason reason);
}
