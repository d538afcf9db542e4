package dev.keel.transport.tcp;

import dev.keel.session.CloseCause;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

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

  /**
   * The {@code error} frame each close cause sends, built once: {@code {"op":"error","code":C,"message":M}}
   * (codes and messages need no escaping). Written as duplicates, like the heartbeat.
   */
  private static final Map<CloseCause, ByteBuf> ERROR_FRAMES = new EnumMap<>(CloseCause.class);

  static {
    for (CloseCause c : CloseCause.values()) {
      if (c.tcpErrorCode() != null && c != CloseCause.CLIENT) {
        byte[] json = ("{\"op\":\"error\",\"code\":\"" + c.tcpErrorCode() + "\",\"message\":\""
            + c.wsReason() + "\"}").getBytes(StandardCharsets.US_ASCII);
        ERROR_FRAMES.put(c, Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(4 + json.length, 4 + json.length).writeInt(json.length).writeBytes(json)));
      }
    }
  }

  @Override
  public Object closeFrame(CloseCause reason) {
    ByteBuf frame = ERROR_FRAMES.get(reason);
    return frame == null ? null : frame.duplicate();
  }

  /** The payload of the error frame {@code cause} sends (for tests), or null. */
  static String errorJson(CloseCause cause) {
    ByteBuf frame = ERROR_FRAMES.get(cause);
    return frame == null ? null : frame.toString(4, frame.readableBytes() - 4, StandardCharsets.US_ASCII);
  }
}
