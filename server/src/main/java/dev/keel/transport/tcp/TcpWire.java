package dev.keel.transport.tcp;

import dev.keel.session.CloseReason;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Framed TCP: a 4-byte big-endian length, then the payload. Every frame is built here, whole, in
 * one buffer (there is no encoder in the pipeline), so a broadcast's frame is shared by all its
 * recipients instead of each write getting its own length header.
 */
final class TcpWire implements Wire {
  static final TcpWire INSTANCE = new TcpWire();

  /** An empty frame: four zero bytes. Written as a duplicate, so every write has its own indices. */
  private static final ByteBuf HEARTBEAT =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer(4, 4).writeInt(0));

  @Override
  public String transport() {
    return "tcp";
  }

  @Override
  public Object frame(ByteBuf json) {
    try {
      return dataFrame(json.alloc(), json, false);
    } finally {
      json.release();
    }
  }

  @Override
  public int headerLength(int payloadLength) {
    return 4;
  }

  @Override
  public void writeHeader(ByteBuf out, int payloadLength, boolean binary) {
    out.writeInt(payloadLength);
  }

  @Override
  public Object heartbeat() {
    return HEARTBEAT.duplicate();
  }

  @Override
  public Object closeFrame(CloseReason reason, ByteBuf errorJson) {
    if (errorJson == null) {
      return null;
    }
    if (reason == CloseReason.CLIENT) {
      errorJson.release();
      return null;
    }
    return frame(errorJson);
  }
}
