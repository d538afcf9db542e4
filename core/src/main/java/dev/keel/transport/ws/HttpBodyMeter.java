package dev.keel.transport.ws;

import dev.keel.limit.MemoryBudget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;

/**
 * Charges the memory budget with HTTP request bodies in flight: every body byte from the moment the
 * codec decodes it (before the aggregator joins it into a request) until the requests of the
 * connection have all been answered, or the connection ends or upgrades. Conservative by design: a
 * pipelined request keeps the bytes of the one before it charged until both are answered.
 *
 * <p>Loop-confined, like its channel.
 */
final class HttpBodyMeter extends ChannelInboundHandlerAdapter {
  private final MemoryBudget budget;
  private long charged;

  HttpBodyMeter(MemoryBudget budget) {
    this.budget = budget;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent content) {
      int n = content.content().readableBytes();
      if (n > 0) {
        charged += n;
        budget.charge(MemoryBudget.Kind.HTTP_BODIES, n);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Every request read so far has been answered: their bodies are no longer held. */
  void settled() {
    if (charged != 0) {
      budget.release(MemoryBudget.Kind.HTTP_BODIES, charged);
      charged = 0;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    settled();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    settled();
  }
}
