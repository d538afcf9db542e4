package dev.keel.transport.tcp;

import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
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

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      ctx.close(); // reset by peer and the like: the client ended it
      return;
    }
    log.warn("{}: unexpected error: closing", session != null ? session : ctx.channel(), cause);
    if (session != null) {
      session.close(CloseCause.ERROR);
    } else {
      ctx.close();
    }
  }
}
