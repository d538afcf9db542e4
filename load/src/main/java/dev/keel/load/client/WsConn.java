package dev.keel.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import java.io.IOException;

/** A WebSocket connection: RFC 6455 upgrade on {@code /ws}, then one JSON object per text frame. */
final class WsConn extends Conn {
  private final WebSocketClientHandshaker handshaker;

  WsConn(Channel channel, ConnListener listener, WebSocketClientHandshaker handshaker) {
    super(channel, listener);
    this.handshaker = handshaker;
  }

  @Override
  public Transport transport() {
    return Transport.WS;
  }

  @Override
  public void send(String json) {
    ByteBuf b = channel.alloc().buffer(ByteBufUtil.utf8MaxBytes(json));
    ByteBufUtil.writeUtf8(b, json);
    channel.writeAndFlush(new TextWebSocketFrame(b), channel.voidPromise());
  }

  @Override
  public void sendPayload(ByteBuf payload, boolean binary) {
    WebSocketFrame f = binary ? new BinaryWebSocketFrame(payload) : new TextWebSocketFrame(payload);
    channel.writeAndFlush(f, channel.voidPromise());
  }

  @Override
  void closeCleanly() {
    if (channel.isActive() && handshaker.isHandshakeComplete()) {
      channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE), channel.voidPromise());
      scheduleForceClose();
    } else {
      channel.close();
    }
  }

  final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      handshaker.handshake(ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpResponse response) {
        try {
          handshaker.finishHandshake(ctx.channel(), response);
          ready.complete(WsConn.this);
        } catch (WebSocketHandshakeException e) {
          ready.completeExceptionally(new IOException("upgrade refused: " + response.status()
              + " " + response.content().toString(java.nio.charset.StandardCharsets.UTF_8)));
          ctx.close();
        } finally {
          response.release();
        }
        return;
      }
      WebSocketFrame frame = (WebSocketFrame) msg;
      try {
        if (frame instanceof TextWebSocketFrame) {
          onJson(frame.content());
        } else if (frame instanceof PingWebSocketFrame) {
          if (!silent) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
          }
        } else if (frame instanceof CloseWebSocketFrame close) {
          markServerEnd("server close " + close.statusCode() + " " + close.reasonText());
          if (!endedByClient()) {
            ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""));
            scheduleForceClose();
          } else {
            ctx.close(); // the echo of our own close
          }
        }
      } finally {
        frame.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!ready.isDone()) {
        ready.completeExceptionally(cause);
      }
      ctx.close();
    }
  }
}
