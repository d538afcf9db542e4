package dev.keel.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * One dashboard stream after its upgrade. A browser cannot put a header on a WebSocket, so when an
 * admin token is set the first message must be the token itself (within {@link #AUTH_TIMEOUT_SECONDS});
 * a wrong or missing one closes the stream with 1008. Later messages are ignored.
 */
final class StreamHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  static final int AUTH_TIMEOUT_SECONDS = 10;

  private final StreamHub hub;
  private final byte[] token;
  private boolean authenticated;
  private ScheduledFuture<?> authDeadline;

  StreamHandler(StreamHub hub, String token) {
    this.hub = hub;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** Called once the upgrade response is on its way. */
  void start(ChannelHandlerContext ctx) {
    if (token == null) {
      authenticated = true;
      hub.add(ctx.channel());
      return;
    }
    authDeadline = ctx.executor().schedule(() -> refuse(ctx, "token required"), AUTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ctx.channel().closeFuture().addListener(f -> authDeadline.cancel(false));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
    } else if (frame instanceof TextWebSocketFrame text && !authenticated) {
      authDeadline.cancel(false);
      byte[] given = ByteBufUtil.getBytes(text.content());
      if (MessageDigest.isEqual(token, given)) {
        authenticated = true;
        hub.add(ctx.channel());
      } else {
        refuse(ctx, "invalid token");
      }
    }
  }

  private static void refuse(ChannelHandlerContext ctx, String reason) {
    ctx.writeAndFlush(new CloseWebSocketFrame(1008, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
