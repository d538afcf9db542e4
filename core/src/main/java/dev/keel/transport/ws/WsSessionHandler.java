package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.session.CloseCause;
import dev.keel.session.CloseLog;
import dev.keel.session.ControlFrames;
import dev.keel.session.PeerIdentity;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import dev.keel.transport.FrameSink;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Connects an upgraded WebSocket channel to its {@link Session}. Not a pipeline handler: the frame
 * decoder hands it each frame and the channel's events ({@link MeteredHandshaker}), which saves every
 * idle connection a handler context and every frame a hop through the pipeline. Each text or binary message is
 * copied to an exact-size array and its pooled frame released right here, so nothing downstream
 * can pin a read buffer. Fragmented messages are put together here ({@link Fragments}); a text
 * message must be UTF-8 (else close 1007, RFC 6455 §8.1); every frame, control frames and fragments
 * included, takes a rate-limit token. Netty's decoder checks the framing (masking, RSV bits,
 * opcodes, control-frame sizes, fragment order); a close code outside RFC 6455 §7.4's ranges is
 * checked here ({@link WsErrors}).
 */
final class WsSessionHandler implements FrameSink {
  private final Session session;
  private final int maxMessageSize;
  private final ReadActivity activity;
  /** A fragmented message under way, or null. */
  private Fragments fragments;

  WsSessionHandler(Session session, int maxMessageSize, ReadActivity activity) {
    this.session = session;
    this.maxMessageSize = maxMessageSize;
    this.activity = activity;
  }

  static WsSessionHandler open(long id, ChannelHandlerContext ctx, ServerContext server,
      ReadActivity activity, PeerIdentity principal) {
    return new WsSessionHandler(Session.open(id, ctx.channel(), WsWire.INSTANCE, server, activity, true, principal),
        server.config().get(CoreOptions.MAX_MESSAGE_SIZE), activity);
  }

  @Override
  public void frame(Object msg) {
    try {
      if (msg instanceof WebSocketFrame frame) {
        read(frame);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void read(WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      boolean binary = frame instanceof BinaryWebSocketFrame;
      if (frame.isFinalFragment()) {
        message(ByteBufUtil.getBytes(frame.content()), binary);
        return;
      }
      fragments = new Fragments(binary, maxMessageSize); // the decoder refuses a new one while one is under way
      fragment(frame);
    } else if (frame instanceof ContinuationWebSocketFrame) {
      fragment(frame);
    } else if (frame instanceof PingWebSocketFrame ping) {
      ControlFrames.received(session, ByteBufUtil.getBytes(ping.content()));
    } else if (frame instanceof PongWebSocketFrame) {
      ControlFrames.received(session, null); // activity already noted by the decoder (ReadActivity); a token all the same
    } else if (frame instanceof CloseWebSocketFrame close) {
      session.close(WsErrors.validCloseCode(close) ? CloseCause.CLIENT : CloseCause.PROTOCOL_ERROR);
    }
  }

  private void fragment(WebSocketFrame frame) {
    Fragments f = fragments;
    if (f == null) {
      session.close(CloseCause.PROTOCOL_ERROR); // nothing to continue (the decoder catches this first)
      return;
    }
    if (!f.add(frame.content())) {
      fragmentsDone();
      session.close(CloseCause.TOO_LARGE);
      return;
    }
    if (frame.isFinalFragment()) {
      fragmentsDone();
      message(f.message(), f.binary());
    } else {
      // What the message holds so far is charged to the memory budget, and it must finish within the
      // frame timeout (ReadActivity).
      activity.fragmentsHeld(f.held());
      ControlFrames.received(session, null); // each fragment takes a token; the whole message one more
    }
  }

  private void fragmentsDone() {
    fragments = null;
    activity.fragmentsHeld(0);
  }

  private void message(byte[] payload, boolean binary) {
    if (!binary && !Utf8.isValid(payload)) {
      session.close(CloseCause.INVALID_PAYLOAD);
      return;
    }
    session.onInbound(payload, binary);
  }

  @Override
  public void writabilityChanged() {
    session.writabilityChanged();
  }

  @Override
  public void ended() {
    fragmentsDone();
    session.ended();
  }

  @Override
  public void failed(ChannelHandlerContext ctx, Throwable cause) {
    CloseCause reason = WsErrors.closeCause(cause);
    if (reason == null) { // the peer reset the connection or left mid-frame: it ended it
      ctx.close();
    } else if (reason == CloseCause.ERROR) {
      CloseLog.unexpected(session, cause, ctx.executor());
      session.close(reason);
    } else {
      session.close(reason);
    }
  }
}
