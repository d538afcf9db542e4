package dev.keel.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The admin connection's one deadline ({@code admin-request-timeout}): a whole request must arrive
 * within it, counted from connecting or from the last answer being written; otherwise the socket is
 * closed. While a request is being answered nothing is timed. A task on the connection's event loop,
 * cancelled when it closes or upgrades to the dashboard stream.
 */
final class AdminDeadline extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private ScheduledFuture<?> timer;

  AdminDeadline(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest) {
      cancel(); // answered now; the next request is timed from its answer
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent) {
      promise = promise.unvoid();
      promise.addListener(f -> {
        if (f.isSuccess() && ctx.channel().isActive()) {
          arm(ctx);
        }
      });
    }
    ctx.write(msg, promise);
  }

  private void arm(ChannelHandlerContext ctx) {
    cancel();
    timer = ctx.executor().schedule(() -> {
      timer = null;
      ctx.close();
    }, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }
}
