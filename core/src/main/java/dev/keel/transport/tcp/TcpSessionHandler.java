package dev.keel.transport.tcp;

import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import dev.keel.session.CloseLog;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connects a framed-TCP channel to its {@link Session}: admission, frames in, lifecycle events. */
final class TcpSessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TcpSessionHandler.class);

  private final ServerContext server;
  private final ReadActivity activity;
  private Session session;

  TcpSessionHandler(ServerContext server, ReadActivity activity) {
    this.server = server;
    this.activity = activity;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!server.sessions().tryReserve()) {
      server.counters().tcp.closed(CloseCause.SERVER_FULL);
      log.debug("refusing {}: max-connections reached or draining", ClientAddress.of(ctx.channel()));
      ctx.close();
      return;
    }
    session = Session.open(ctx.channel(), TcpWire.INSTANCE, server, activity, false, null);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (session != null) {
      session.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (session != null) {
      session.ended();
    }
    ctx.fireChannelInactive();
  }

  /**
   * The end of the framed-TCP pipeline. A reset is the client's own end; bytes that are not TLS on a
   * TLS port, or a broken TLS record, close the connection as a protocol error; anything else is
   * unexpected and logged as one line by the close log. Never a stack trace for what a client sent.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
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
