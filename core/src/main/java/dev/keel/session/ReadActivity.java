package dev.keel.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Ticker;

/**
 * First handler of every pipeline: notes when bytes last arrived, before any decoder, so that a
 * partial frame or a pong counts as activity for the idle timeout.
 */
public final class ReadActivity extends ChannelInboundHandlerAdapter {
  private Ticker ticker;
  private long lastReadNanos;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ticker = ctx.executor().ticker();
    lastReadNanos = ticker.nanoTime();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = ticker.nanoTime();
    ctx.fireChannelRead(msg);
  }

  long lastReadNanos() {
    return lastReadNanos;
  }

  /** Counts work done on the peer's behalf (a throttled message processed) as activity. */
  void touch(long nowNanos) {
    lastReadNanos = Math.max(lastReadNanos, nowNanos);
  }
}
