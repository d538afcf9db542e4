package dev.keel.transport.ws;

import dev.keel.session.CloseReason;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** WebSocket: one JSON object per text frame; pings for heartbeats; close frames with a code. */
final class WsWire implements Wire {
  static final WsWire INSTANCE = new WsWire();

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
  public Object heartbeat() {
    return new PingWebSocketFrame();
  }

  @Override
  public Object closeFrame(CloseReason reason, ByteBuf errorJson) {
    if (errorJson != null) {
      errorJson.release(); // the close code and reason say it all
    }
    return new CloseWebSocketFrame(reason.wsCode(), reason.wsReason());
  }
}
