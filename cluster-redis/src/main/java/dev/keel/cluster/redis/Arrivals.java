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

/**
 * Proof of life for the link's connections: counts the reads on each of Lettuce's channels (any
 * bytes Redis sent: a PONG, a reply, a pub/sub message or part of one), so that the health check
 * tells a connection busy delivering from one gone silent ({@link Liveness}). One handler first in
 * each channel's pipeline (installed through Lettuce's {@link NettyCustomizer}) counts; the link
 * finds a connection's count by the endpoint that its channel's {@code CommandHandler} serves.
 *
 * <p>A read in progress counts too: Lettuce decodes every message a read brought in before it
 * returns, and under a storm (and paranoid leak detection, on a loaded machine) one read's decoding
 * was seen to outlast a 250 ms interval; a connection whose data is being handled right now is not
 * silent.
 *
 * <p>Threads: each count is written by its channel's I/O thread only (two volatile stores per read
 * from the socket, not per message) and read on the link's executor. A channel's entry is removed
 * when its pipeline is torn down, so the map holds the live channels only.
 *
 * <p>Usage: {@code DefaultClientResources.builder().nettyCustomizer(arrivals)}, then
 * {@code Arrivals.Reads reads = arrivals.of(connection)}.
 */
final class Arrivals implements NettyCustomizer {
  /** What the health check reads of one connection. */
  interface Reads {
    /** Reads from the socket so far. */
    long count();

    /** Whether a read is being handled now (its messages decoded and delivered). */
    boolean inProgress();
  }

  /** What {@link #of} answers for a connection whose channel it never saw: it never moves (PING alone decides). */
  static final Reads UNKNOWN = new Reads() {
    @Override
    public long count() {
      return 0;
    }

    @Override
    public boolean inProgress() {
      return false;
    }
  };

  private final ConcurrentHashMap<Endpoint, Counter> byEndpoint = new ConcurrentHashMap<>();

  @Override
  public void afterChannelInitialized(Channel channel) {
    CommandHandler handler = channel.pipeline().get(CommandHandler.class); // Lettuce added it just before
    if (handler != null) {
      channel.pipeline().addFirst("keel-arrivals", new Counter(handler.getEndpoint()));
    }
  }

  /** The reads of {@code connection}'s channel, or {@link #UNKNOWN}. */
  Reads of(StatefulConnection<?, ?> connection) {
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

  private final class Counter extends ChannelInboundHandlerAdapter implements Reads {
    private final Endpoint endpoint;
    /** Written by the channel's I/O thread only, so the increment needs no atomic. */
    private volatile long reads;
    private volatile boolean reading;

    Counter(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public long count() {
      return reads;
    }

    @Override
    public boolean inProgress() {
      return reading;
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
      reading = true;
      try {
        ctx.fireChannelRead(msg);
      } finally {
        reading = false;
      }
    }
  }
}
