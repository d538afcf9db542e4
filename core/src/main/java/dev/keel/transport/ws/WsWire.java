package dev.keel.transport.ws;

import dev.keel.session.CloseCause;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * WebSocket: one JSON object per text frame; pings for heartbeats; close frames with a code.
 *
 * <p>Data frames are built here (RFC 6455 §5.2: FIN, opcode, unmasked length) and pass Netty's
 * frame encoder untouched, which only encodes {@code WebSocketFrame} objects. That encoder copies
 * every frame under 1 KiB into a new buffer, which for a broadcast meant one copy per recipient.
 * Control frames (replies, pings, close) still go through it: they are per connection anyway.
 */
final class WsWire implements Wire {
  static final WsWire INSTANCE = new WsWire();

  private static final int FIN = 0x80;
  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;

  @Override
  public String transport() {
    return "ws";
  }

  @Override
  public Object frame(ByteBuf json) {
    return new TextWebSocketFrame(json);
  }

  @Override
  public Object binaryFrame(ByteBuf payload) {
    return new BinaryWebSocketFrame(payload);
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
    return new PingWebSocketFrame();
  }

  @Override
  public Object pong(byte[] payload) {
    return new PongWebSocketFrame(Unpooled.wrappedBuffer(payload));
  }

  @Override
  public Object closeFrame(CloseCause reason) {
    return new CloseWebSocketFrame(reason.wsCode(), reason.wsReason());
  }
}
