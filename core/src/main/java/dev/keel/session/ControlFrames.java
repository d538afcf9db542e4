package dev.keel.session;

/**
 * What a transport hands a session's inbound gate besides messages: control frames (WebSocket pings,
 * pongs, the fragments of a message), which take rate-limit tokens like messages do, so that a
 * ping flood is throttled like a message flood ({@link InboundGate#offerControl}).
 *
 * <p>Usage, on the session's event loop: {@code ControlFrames.received(session, pingPayload)}
 */
public final class ControlFrames {
  private ControlFrames() {}

  /**
   * One control frame from the peer: a ping ({@code ping} is its payload, to be answered with a pong),
   * or a pong or a message fragment ({@code ping} null: nothing to answer).
   */
  public static void received(Session session, byte[] ping) {
    if (session.isOpen()) {
      session.gate.offerControl(ping);
    }
  }

  /** Answers a ping through the session's control lane. */
  static void pong(Session session, byte[] payload) {
    Object frame = session.wire.pong(payload);
    if (frame != null) {
      session.sendControlFrame(frame);
    }
  }
}
