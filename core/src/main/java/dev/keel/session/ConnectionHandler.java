package dev.keel.session;

/**
 * The connection layer's view of the application, called on the connection's event loop, one
 * call at a time: an implementation must not block. The embedding API's bridge is the one the
 * server runs ({@code dev.keel.api.HandlerBridge}: it hands each call to a virtual thread); the
 * unit tests also run {@code PubSubHandler} here directly.
 *
 * <p>Usage: {@code KeelServer.start(config, topics -> myConnectionHandler)}
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
  void onClose(Session session, CloseCause reason);
}
