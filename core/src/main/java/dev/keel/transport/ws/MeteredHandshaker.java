package dev.keel.transport.ws;

import dev.keel.session.ReadActivity;
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

  private static final class Decoder extends WebSocket13FrameDecoder {
    private final ReadActivity activity;
    private boolean completed;

    Decoder(WebSocketDecoderConfig config, ReadActivity activity) {
      super(config);
      this.activity = activity;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, in, out);
      completed |= out.size() > before;
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
        super.channelInactive(ctx);
      } finally {
        activity.ended();
      }
    }
  }
}
