package dev.keel.session;

import io.netty.buffer.ByteBuf;

/**
 * How a transport frames what a {@link Session} writes. The session decides what to send and when;
 * the wire only wraps payloads in the transport's frames.
 */
public interface Wire {
  /** "ws" or "tcp": the label used in logs and metrics. */
  String transport();

  /** Wraps a JSON payload (ownership passes to the returned frame). */
  Object frame(ByteBuf json);

  /** Wraps an application's binary payload (WebSocket: a binary frame); ownership passes to the frame. */
  default Object binaryFrame(ByteBuf payload) {
    return frame(payload);
  }

  /** A heartbeat: a WebSocket ping or an empty TCP frame. */
  Object heartbeat();

  /**
   * The frame that tells the peer why it is being closed, or null to close without one.
   *
   * @param errorJson for framed TCP, the {@code error} frame's payload (owned by the callee);
   *     null when the reason has no TCP error code
   */
  Object closeFrame(CloseReason reason, ByteBuf errorJson);
}
