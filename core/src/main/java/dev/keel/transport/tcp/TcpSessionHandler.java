package dev.keel.transport.tcp;

import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import dev.keel.transport.FrameSink;
import io.netty.channel.ChannelHandlerContext;
import dev.keel.session.CloseLog;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a framed-TCP channel to its {@link Session}: admission, frames in, lifecycle events. Not a
 * pipeline handler: {@link TcpFrameDecoder}, the pipeline's one handler, calls it, which saves every
 * idle connection a handler context and every frame a hop.
 */
final class TcpSessionHandler implements FrameSink {
  private static final Logger log = LoggerFactory.getLogger(TcpSessionHandler.class);

  private final ServerContext server;
  private final ReadActivity activity;
  private Session session;

  TcpSessionHandler(ServerContext server, ReadActivity activity) {
    this.server = server;
    this.activity = activity;
  }

  void channelActive(ChannelHandlerContext ctx) {
    long id = server.sessions().reserve();
    if (id == 0) {
      server.counters().tcp.closed(CloseCause.SERVER_FULL);
      log.debug("refusing {}: max-connections reached or draining", ClientAddress.of(ctx.channel()));
      ctx.close();
      return;
    }
    session = Session.open(id, ctx.channel(), TcpWire.INSTANCE, server, activity, false, null);
  }

  /** One decoded frame: a payload, {@link TcpFrameDecoder#HEARTBEAT} or {@link TcpFrameDecoder#TOO_LARGE}. */
  @Override
  public void frame(Object msg) {
    if (session == null) {
      return; // refused; nothing was allocated for it (payloads are plain arrays)
    }
    if (msg instanceof byte[] payload) {
      session.onInbound(payload, false);
    } else if (msg == TcpFrameDecoder.HEARTBEAT) {
      session.onHeartbeat();
    } else if (msg == TcpFrameDecoder.TOO_LARGE) {
      session.close(CloseCause.TOO_LARGE);
    }
  }

  @Override
  public void writabilityChanged() {
    if (session != null) {
      session.writabilityChanged();
    }
  }

  @Override
  public void ended() {
    if (session != null) {
      session.ended();
    }
  }

  /**
   * The end of the framed-TCP pipeline. A reset is the client's own end; bytes that are not TLS on a
   * TLS port, or a broken TLS record, close the connection as a protocol error; anything else is
   * unexpected and logged as one line by the close log. Never a stack trace for what a client sent.
   */
  @Override
  public void failed(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof IOException && !(root instanceof SSLException)) {
      ctx.close(); // reset by peer and the like: the client ended it
      return;
    }
    if (root instanceof SSLException) {
      if (session != null) {
        session.close(CloseCause.PROTOCOL_ERROR); // counted and logged as it ends; its goodbye cannot pass TLS
      } else {
        server.counters().tcp.closed(CloseCause.PROTOCOL_ERROR);
        CloseLog.closed(ctx.channel(), "tcp", CloseCause.PROTOCOL_ERROR, "TLS failed: " + root.getMessage());
      }
      ctx.close();
      return;
    }
    CloseLog.unexpected(session != null ? session : ctx.channel(), cause, ctx.executor());
    if (session != null) {
      session.close(CloseCause.ERROR);
    } else {
      ctx.close();
    }
  }
}
