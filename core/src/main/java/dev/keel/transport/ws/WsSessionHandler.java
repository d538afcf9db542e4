package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.session.PeerIdentity;
import dev.keel.session.CloseCause;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects an upgraded WebSocket channel to its {@link Session}. Each text or binary message is
 * copied to an exact-size array and its pooled frame released right here, so nothing downstream
 * can pin a read buffer.
 */
final class WsSessionHandler extends ChannelInboundHandlerAdapter {
  private static final String AGGREGATOR = "ws-aggregator";
  private static final Logger log = LoggerFactory.getLogger(WsSessionHandler.class);

  private final Session session;
  private final int maxMessageSize;
  private final ReadActivity activity;
  /** Bytes of the fragmented message joined so far (0: none under way). */
  private int fragmentBytes;

  WsSessionHandler(Session session, int maxMessageSize, ReadActivity activity) {
    this.session = session;
    this.maxMessageSize = maxMessageSize;
    this.activity = activity;
  }

  static WsSessionHandler open(ChannelHandlerContext ctx, ServerContext server, ReadActivity activity,
      PeerIdentity principal) {
    return new WsSessionHandler(Session.open(ctx.channel(), WsWire.INSTANCE, server, activity, true, principal),
        server.config().get(CoreOptions.MAX_MESSAGE_SIZE), activity);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame frame && (!frame.isFinalFragment() || msg instanceof ContinuationWebSocketFrame)) {
      fragmentBytes += frame.content().readableBytes();
      activity.fragmentsHeld(fragmentBytes); // the message must finish in the frame timeout
      aggregate(ctx, frame);
      return;
    }
    if (fragmentBytes != 0 && (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)) {
      fragmentsDone(); // the aggregator's whole message
    }
    try {
      if (msg instanceof TextWebSocketFrame text) {
        session.onInbound(ByteBufUtil.getBytes(text.content()), false);
      } else if (msg instanceof BinaryWebSocketFrame binary) {
        session.onInbound(ByteBufUtil.getBytes(binary.content()), true);
      } else if (msg instanceof PingWebSocketFrame ping) {
        session.sendControlFrame(new PongWebSocketFrame(ping.content().retain()));
      } else if (msg instanceof CloseWebSocketFrame) {
        session.close(CloseCause.CLIENT);
      }
      // Pongs need nothing: ReadActivity has already counted their bytes.
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * The first fragment of a fragmented message. Only now is a frame aggregator put in front of this
   * handler: most clients never fragment, and an aggregator on every connection costs about 110
   * bytes of heap. It takes this fragment and every later one, and hands this handler whole
   * messages (or a TooLongFrameException past max-message-size).
   */
  private void aggregate(ChannelHandlerContext ctx, WebSocketFrame frame) {
    ChannelHandlerContext aggregator = ctx.pipeline().context(AGGREGATOR);
    if (aggregator == null) {
      ctx.pipeline().addBefore(ctx.name(), AGGREGATOR,
          new WebSocketFrameAggregator(maxMessageSize));
      aggregator = ctx.pipeline().context(AGGREGATOR);
    }
    try {
      ((ChannelInboundHandler) aggregator.handler()).channelRead(aggregator, frame);
    } catch (Exception e) {
      ctx.fireExceptionCaught(e);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    session.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.ended();
    ctx.fireChannelInactive();
  }

  private void fragmentsDone() {
    fragmentBytes = 0;
    activity.fragmentsHeld(0);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      fragmentsDone(); // the aggregator has let go of them
      session.close(CloseCause.TOO_LARGE); // a fragmented message over max-message-size
    } else if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      if (WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(corrupt.closeStatus())) {
        session.close(CloseCause.TOO_LARGE);
      } else {
        log.debug("{}: protocol violation: {}", session, cause.getMessage());
        session.close(CloseCause.PROTOCOL_ERROR);
      }
    } else if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      ctx.close(); // reset by peer, or gone in the middle of a fragmented message: the client ended it
    } else {
      log.warn("{}: unexpected error: closing", session, cause);
      session.close(CloseCause.ERROR);
    }
  }
}
