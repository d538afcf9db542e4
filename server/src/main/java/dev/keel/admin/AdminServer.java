package dev.keel.admin;

import dev.keel.config.KeelConfig;
import dev.keel.pubsub.TopicRegistry;
import dev.keel.session.Sessions;
import dev.keel.session.Stats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener: {@code GET /metrics} and the {@code /debug/*} endpoints, on its own port and its
 * own event loop, so that a scrape or a profile never runs on a connection's event loop and is never
 * reachable through the public port.
 */
public final class AdminServer implements AutoCloseable {
  private static final int MAX_REQUEST = 64 * 1024;

  private final KeelMetrics metrics;
  private final EventLoopLag lag;
  private final StreamHub hub;
  private final Channel listener;

  private AdminServer(KeelMetrics metrics, EventLoopLag lag, StreamHub hub, Channel listener) {
    this.metrics = metrics;
    this.lag = lag;
    this.hub = hub;
    this.listener = listener;
  }

  /**
   * Binds the admin listener.
   *
   * @param group a small group (one thread is plenty) that the caller owns and shuts down
   * @param ioLoops the event loops that own the connections (asked for ledger snapshots)
   */
  public static AdminServer start(KeelConfig config, Stats stats, Sessions sessions, TopicRegistry topics,
      PooledByteBufAllocator allocator, EventLoopGroup group, Class<? extends ServerChannel> channelType,
      EventLoopGroup ioLoops) throws InterruptedException {
    KeelMetrics metrics = new KeelMetrics(config, stats, topics, allocator);
    MemoryProbe memory = new MemoryProbe(allocator, sessions, stats, topics);
    AdminRoutes routes = new AdminRoutes(config, metrics, memory, new ConnectionLedger(sessions, ioLoops));
    EventLoopLag lag = new EventLoopLag(ioLoops, metrics.registry());
    StreamHub hub = new StreamHub(group.next(), stats, memory, lag);
    StaticAssets assets = new StaticAssets();
    try {
      Channel ch = new ServerBootstrap()
          .group(group)
          .channel(channelType)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
              c.pipeline()
                  .addLast(new HttpServerCodec(4096, 8192, 8192))
                  .addLast(new HttpObjectAggregator(MAX_REQUEST))
                  .addLast(new AdminHandler(routes, assets, hub, config.adminToken()));
            }
          })
          .bind(config.adminHost(), Math.max(config.adminPort(), 0)).sync().channel();
      return new AdminServer(metrics, lag, hub, ch);
    } catch (RuntimeException | InterruptedException e) {
      hub.close();
      lag.close();
      metrics.close();
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public KeelMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    hub.close();
    lag.close();
    metrics.close();
  }
}
