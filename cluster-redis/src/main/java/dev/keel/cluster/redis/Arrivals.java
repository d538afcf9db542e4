package dev.keel.cluster.redis;

import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.Endpoint;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Proof of life for the link's connections: counts the reads on each of Lettuce's channels (any
 * bytes Redis sent: a PONG, a reply, a pub/sub message or part of one), so that the health check
 * tells a connection busy delivering from one gone silent ({@link Liveness}). One handler first in
 * each channel's pipeline (installed through Lettuce's {@link NettyCustomizer}) counts; the link
 * finds a connection's count by the endpoint that its channel's {@code CommandHandler} serves.
 *
 * <p>Threads: each count is written by its channel's I/O thread only (a volatile store per read from
 * the socket, not per message) and read on the link's executor. A channel's entry is removed when its
 * pipeline is torn down, so the map holds the live channels only.
 *
 * <p>Usage: {@code DefaultClientResources.builder().nettyCustomizer(arrivals)}, then
 * {@code LongSupplier reads = arrivals.of(connection)}.
 */
final class Arrivals implements NettyCustomizer {
  /** What {@link #of} answers for a connection whose channel it never saw: it never moves (PING alone decides). */
  static final LongSupplier UNKNOWN = () -> 0;

  private final ConcurrentHashMap<Endpoint, Counter> byEndpoint = new ConcurrentHashMap<>();

  @Override
  public void afterChannelInitialized(Channel channel) {
    CommandHandler handler = channel.pipeline().get(CommandHandler.class); // Lettuce added it just before
    if (handler != null) {
      channel.pipeline().addFirst("keel-arrivals", new Counter(handler.getEndpoint()));
    }
  }

  /** The read count of {@code connection}'s channel, or {@link #UNKNOWN}. */
  LongSupplier of(StatefulConnection<?, ?> connection) {
    RedisChannelWriter w = ((RedisChannelHandler<?, ?>) connection).getChannelWriter();
    while (w instanceof Delegating<?> d && d.getDelegate() instanceof RedisChannelWriter inner) {
      w = inner; // Lettuce may wrap the endpoint (command expiry, command listeners)
    }
    Counter c = w instanceof Endpoint e ? byEndpoint.get(e) : null;
    return c == null ? UNKNOWN : c;
  }

  /** Channels counted now (tests: none left once the link has closed). */
  int size() {
    return byEndpoint.size();
  }

  private final class Counter extends ChannelInboundHandlerAdapter implements LongSupplier {
    private final Endpoint endpoint;
    /** Written by the channel's I/O thread only, so the increment needs no atomic. */
    private volatile long reads;

    Counter(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public long getAsLong() {
      return reads;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      byEndpoint.put(endpoint, this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      byEndpoint.remove(endpoint, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      reads++;
      ctx.fireChannelRead(msg);
    }
  }
}
