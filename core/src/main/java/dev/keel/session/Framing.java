package dev.keel.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How one transport frames a data message. Server frames carry no per-connection bytes (WebSocket
 * server frames are unmasked), so a broadcast is framed once per framing and every recipient writes
 * a duplicate of the same bytes.
 */
public interface Framing {
  /** A whole data frame in one new buffer: the header, then a copy of the payload's readable bytes. */
  ByteBuf dataFrame(ByteBufAllocator alloc, ByteBuf payload, boolean binary);
}
