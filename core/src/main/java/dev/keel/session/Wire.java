package dev.keel.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How a transport frames what a {@link Session} writes. The session decides what to send and when;
 * the wire only wraps payloads in the transport's frames.
 *
 * <p>Data messages leave as whole frames in one buffer ({@link #dataFrame}), built before they are
 * queued: the server's frames carry no per-connection bytes (WebSocket server frames are unmasked),
 * so a broadcast is framed once per transport and event loop and every recipient writes a duplicate
 * of the same bytes, past any encoder in the pipeline.
 */
public interface Wire extends Framing {
  /** "ws" or "tcp": the label used in logs and metrics. */
  String transport();

  /** Wraps a JSON reply or error, for the control lane (ownership passes to the returned frame). */
  Object frame(ByteBuf json);

  /** Wraps an application's binary reply (WebSocket: a binary frame); ownership passes to the frame. */
  default Object binaryFrame(ByteBuf payload) {
    return frame(payload);
  }

  /** Bytes of this transport's header in front of a data payload of {@code payloadLength} bytes. */
  int headerLength(int payloadLength);

  /** Writes the header of a data frame: text (JSON) or binary. */
  void writeHeader(ByteBuf out, int payloadLength, boolean binary);

  @Override
  default ByteBuf dataFrame(ByteBufAllocator alloc, ByteBuf payload, boolean binary) {
    int length = payload.readableBytes();
    int size = headerLength(length) + length;
    ByteBuf frame = alloc.directBuffer(size, size);
    writeHeader(frame, length, binary);
    return frame.writeBytes(payload, payload.readerIndex(), length);
  }

  /** The same from an array. */
  default ByteBuf dataFrame(ByteBufAllocator alloc, byte[] payload, boolean binary) {
    int size = headerLength(payload.length) + payload.length;
    ByteBuf frame = alloc.directBuffer(size, size);
    writeHeader(frame, payload.length, binary);
    return frame.writeBytes(payload);
  }

  /** A heartbeat: a WebSocket ping or an empty TCP frame. */
  Object heartbeat();

  /** The answer to the peer's ping carrying {@code payload} (WebSocket: a pong), or null for none. */
  default Object pong(byte[] payload) {
    return null;
  }

  /** The frame that tells the peer why it is being closed, or null to close without one. */
  Object closeFrame(CloseCause reason);
}
