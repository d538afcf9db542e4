package dev.keel.transport.ws;

import dev.keel.session.ReadActivity;
import dev.keel.transport.FrameSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import java.util.List;

/**
 * The RFC 6455 handshake, installing a frame decoder that notes every read in the connection's
 * {@link ReadActivity} (the idle timeout) and reports the frame it has begun and not finished: that
 * frame must finish within the frame timeout, and its buffered bytes count against the memory budget
 * (a client that sends most of a large frame and then trickles holds them).
 */
final class MeteredHandshaker extends WebSocketServerHandshaker13 {
  private final ReadActivity activity;

  MeteredHandshaker(String webSocketUrl, WebSocketDecoderConfig config, ReadActivity activity) {
    super(webSocketUrl, null, config);
    this.activity = activity;
  }

  @Override
  protected WebSocketFrameDecoder newWebsocketDecoder() {
    return new Decoder(decoderConfig(), activity);
  }

  /** Where the frame decoder hands its frames once the session exists ({@code session} from the upgrade). */
  static void deliverTo(ChannelHandlerContext ctx, WsSessionHandler session) {
    Decoder d = ctx.pipeline().get(Decoder.class);
    if (d == null) {
      throw new IllegalStateException("no WebSocket frame decoder after the handshake");
    }
    d.session = session;
  }

  /**
   * Netty's RFC 6455 decoder, and from the upgrade on the last handler of the pipeline: the frames it
   * decodes go straight to the session ({@link WsSessionHandler}), as do the channel's writability,
   * its end and what a read raised.
   */
  private static final class Decoder extends WebSocket13FrameDecoder {
    private final ReadActivity activity;
    private boolean completed;
    private WsSessionHandler session;

    Decoder(WebSocketDecoderConfig config, ReadActivity activity) {
      super(config);
      this.activity = activity;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, in, out);
      completed |= out.size() > before;
      if (session != null) {
        FrameSink.handOn(ctx, session, out, before);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (session != null) {
        session.writabilityChanged();
      }
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
      if (session != null) {
        session.failed(ctx, cause);
      } else {
        super.exceptionCaught(ctx, cause);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      activity.read(); // any byte counts for the idle timeout: a frame's first, a pong, a fragment
      completed = false;
      super.channelRead(ctx, msg);
      ByteBuf held = internalBuffer(); // what a begun frame holds is the buffer's capacity
      activity.frameBuffered(held.isReadable() ? held.capacity() : 0, completed);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      try {
        super.channelInactive(ctx); // decodes what is left: its frames still go to the session
      } finally {
        try {
          if (session != null) {
            session.ended();
          }
        } finally {
          activity.ended();
        }
      }
    }
  }
}
