package dev.keel.transport.ws;

import dev.keel.session.CloseCause;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/**
 * WebSocket: one JSON object per text frame; pings for heartbeats; close frames with a code.
 *
 * <p>Every frame the server sends is built here, whole, in one buffer (RFC 6455 §5.2: FIN, opcode,
 * unmasked length), so the pipeline has no WebSocket frame encoder after the upgrade
 * ({@link HttpHandler} removes the one Netty's handshaker installs). Data frames are built once per
 * broadcast and shared by its recipients; Netty's encoder copied every frame under 1 KiB into a new
 * buffer, one copy per recipient. Without it an idle connection holds one handler and its context
 * fewer (88 B), and every write skips a handler (docs/benchmarks.md, round 8).
 */
final class WsWire implements Wire {
  static final WsWire INSTANCE = new WsWire();

  private static final int FIN = 0x80;
  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;
  private static final int OPCODE_CLOSE = 0x8;
  private static final int OPCODE_PING = 0x9;
  private static final int OPCODE_PONG = 0xA;
  /** RFC 6455 §5.5: a control frame's payload is at most 125 bytes. */
  private static final int MAX_CONTROL_PAYLOAD = 125;

  /** An empty ping. Written as a duplicate, so every write has its own indices. */
  private static final ByteBuf PING = Unpooled.unreleasableBuffer(
      Unpooled.directBuffer(2, 2).writeByte(FIN | OPCODE_PING).writeByte(0));

  /** The close frame of each cause, built once (code and reason are constants); written as duplicates. */
  private static final Map<CloseCause, ByteBuf> CLOSE_FRAMES = new EnumMap<>(CloseCause.class);

  static {
    for (CloseCause c : CloseCause.values()) {
      byte[] reason = c.wsReason().getBytes(StandardCharsets.UTF_8);
      int length = 2 + reason.length; // a reason longer than 123 bytes would break §5.5: the enum's are short
      ByteBuf frame = Unpooled.directBuffer(2 + length, 2 + length)
          .writeByte(FIN | OPCODE_CLOSE).writeByte(length).writeShort(c.wsCode()).writeBytes(reason);
      CLOSE_FRAMES.put(c, Unpooled.unreleasableBuffer(frame));
    }
  }

  @Override
  public String transport() {
    return "ws";
  }

  @Override
  public Object frame(ByteBuf json) {
    return whole(json, false);
  }

  @Override
  public Object binaryFrame(ByteBuf payload) {
    return whole(payload, true);
  }

  /** A data frame around {@code payload}, in one buffer from the payload's allocator; the payload is released. */
  private ByteBuf whole(ByteBuf payload, boolean binary) {
    try {
      return dataFrame(payload.alloc(), payload, binary);
    } finally {
      payload.release();
    }
  }

  @Override
  public int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }

  @Override
  public void writeHeader(ByteBuf out, int payloadLength, boolean binary) {
    out.writeByte(FIN | (binary ? OPCODE_BINARY : OPCODE_TEXT));
    if (payloadLength < 126) {
      out.writeByte(payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      out.writeByte(126).writeShort(payloadLength);
    } else {
      out.writeByte(127).writeLong(payloadLength);
    }
  }

  @Override
  public Object heartbeat() {
    return PING.duplicate();
  }

  /** The pong echoes the ping's payload, which the decoder has already held to 125 bytes. */
  @Override
  public Object pong(byte[] payload) {
    int length = Math.min(payload.length, MAX_CONTROL_PAYLOAD);
    return Unpooled.buffer(2 + length, 2 + length)
        .writeByte(FIN | OPCODE_PONG).writeByte(length).writeBytes(payload, 0, length);
  }

  @Override
  public Object closeFrame(CloseCause reason) {
    return CLOSE_FRAMES.get(reason).duplicate();
  }
}
