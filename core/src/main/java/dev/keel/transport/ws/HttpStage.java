package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where an HTTP connection is in its life, and the one deadline of that stage (docs/security.md,
 * "Deadlines"): a task on the connection's event loop, replaced at each change of stage and cancelled
 * when the connection closes or upgrades. It sits before the HTTP codec, so it sees a request's first
 * bytes before the codec has a request to show. When a deadline passes it fires {@link Expired} down
 * the pipeline, as Netty's {@code IdleStateHandler} fires its events, and {@link HttpHandler} acts.
 *
 * <table>
 *   <caption>Stages</caption>
 *   <tr><th>stage</th><th>from</th><th>deadline</th></tr>
 *   <tr><td>OPENED</td><td>accept</td><td>handshake-timeout (TLS, the first request)</td></tr>
 *   <tr><td>RECEIVING</td><td>a request's first bytes</td><td>request-timeout (and, for the first request, still handshake-timeout)</td></tr>
 *   <tr><td>HANDLING</td><td>a whole request, handed to a route</td><td>request-timeout</td></tr>
 *   <tr><td>WRITING</td><td>a keep-alive response</td><td>write-timeout</td></tr>
 *   <tr><td>IDLE</td><td>the response written</td><td>keep-alive-timeout</td></tr>
 *   <tr><td>CLOSING</td><td>the last response (Connection: close) written</td><td>close-timeout; input is discarded</td></tr>
 * </table>
 */
final class HttpStage extends ChannelInboundHandlerAdapter {
  /** The stages of an HTTP connection, in the order they usually come. */
  enum Stage { OPENED, RECEIVING, HANDLING, WRITING, IDLE, CLOSING }

  /** Fired when the deadline of {@link #stage} passed. */
  record Expired(Stage stage) {}

  private final long handshakeNanos;
  private final long requestNanos;
  private final long writeNanos;
  private final long keepAliveNanos;
  private final long closeNanos;
  private ChannelHandlerContext ctx;
  private Stage stage = Stage.OPENED;
  /** When the handshake deadline passes: it bounds the first request as well as its own stage. */
  private long openDeadline;
  /** Bytes arrived while a request was handled or answered: the next one has begun. */
  private boolean readWhileBusy;
  private ScheduledFuture<?> timer;

  HttpStage(KeelConfig config) {
    this.handshakeNanos = config.get(CoreOptions.HANDSHAKE_TIMEOUT).toNanos();
    this.requestNanos = config.get(CoreOptions.REQUEST_TIMEOUT).toNanos();
    this.writeNanos = config.get(CoreOptions.WRITE_TIMEOUT).toNanos();
    this.keepAliveNanos = config.get(CoreOptions.KEEP_ALIVE_TIMEOUT).toNanos();
    this.closeNanos = config.get(CoreOptions.CLOSE_TIMEOUT).toNanos();
  }

  Stage stage() {
    return stage;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      opened();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    opened();
    ctx.fireChannelActive();
  }

  private void opened() {
    if (timer == null && stage == Stage.OPENED) {
      openDeadline = now() + handshakeNanos;
      arm(handshakeNanos);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    switch (stage) {
      case CLOSING -> {
        ReferenceCountUtil.release(msg); // the last answer is out: what still comes is read only to close with a FIN
        return;
      }
      case OPENED, IDLE -> {
        if (msg instanceof ByteBuf b && b.isReadable()) {
          long deadline = now() + requestNanos;
          if (stage == Stage.OPENED) {
            deadline = Math.min(deadline, openDeadline);
          }
          enter(Stage.RECEIVING, deadline - now());
        }
      }
      case HANDLING, WRITING -> readWhileBusy = true;
      case RECEIVING -> { }
    }
    ctx.fireChannelRead(msg);
  }

  /** A whole request is being answered (by the server or a route). */
  void handling() {
    readWhileBusy = false;
    enter(Stage.HANDLING, requestNanos);
  }

  /** A keep-alive answer is being written. */
  void writing() {
    enter(Stage.WRITING, writeNanos);
  }

  /** The answer is written and no request waits: the connection idles, or the next request has begun. */
  void answered() {
    if (readWhileBusy) {
      enter(Stage.RECEIVING, requestNanos);
    } else {
      enter(Stage.IDLE, keepAliveNanos);
    }
  }

  /** The last answer is on its way: input is discarded from now on, and the socket closed after close-timeout. */
  void closing() {
    enter(Stage.CLOSING, closeNanos);
  }

  private void enter(Stage next, long delayNanos) {
    stage = next;
    arm(delayNanos);
  }

  private void arm(long delayNanos) {
    cancel();
    Stage armedFor = stage;
    timer = ctx.executor().schedule(() -> {
      timer = null;
      if (stage == armedFor && ctx.channel().isActive()) {
        ctx.fireUserEventTriggered(new Expired(armedFor));
      }
    }, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
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
    cancel(); // upgraded: the WebSocket session has deadlines of its own
  }
}
