package dev.keel.engine;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a listener's (server channel's) pipeline, after Netty's acceptor. A failed accept
 * (EMFILE: the process is out of file descriptors) reaches here after the acceptor has paused
 * accepting for a second, so it never spins; this handler logs it once a second at most, as one line,
 * instead of letting it reach the tail of the pipeline as a stack trace per attempt.
 */
@ChannelHandler.Sharable
final class AcceptErrors extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AcceptErrors.class);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final String listener;
  private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - 2 * SECOND);
  private final AtomicLong unlogged = new AtomicLong();

  AcceptErrors(String listener) {
    this.listener = listener;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    long now = System.nanoTime();
    long last = lastLogged.get();
    if (now - last >= SECOND && lastLogged.compareAndSet(last, now)) {
      long more = unlogged.getAndSet(0);
      log.warn("{} listener: accept failed: {}; accepting again in 1 s{} (see max-sockets, docs/security.md)",
          listener, cause.getMessage(), more > 0 ? " (" + more + " more failures since the last line)" : "");
    } else {
      unlogged.incrementAndGet();
    }
  }
}
