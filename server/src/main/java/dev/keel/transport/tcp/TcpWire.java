package dev.keel.transport.tcp;

import dev.keel.session.CloseReason;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Framed TCP: payloads go out as they are; the pipeline's LengthFieldPrepender adds the length. */
final class TcpWire implements Wire {
  static final TcpWire INSTANCE = new TcpWire();

  @Override
  public String transport() {
    return "tcp";
  }

  @Override
  public Object frame(ByteBuf json) {
    return json;
  }

  @Override
  public Object heartbeat() {
    return Unpooled.EMPTY_BUFFER;
  }

  @Override
  public Object closeFrame(CloseReason reason, ByteBuf errorJson) {
    return reason == CloseReason.CLIENT ? release(errorJson) : errorJson;
  }

  private static Object release(ByteBuf buf) {
    if (buf != null) {
      buf.release();
    }
    return null;
  }
}
