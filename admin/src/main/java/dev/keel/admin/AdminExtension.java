package dev.keel.admin;

import dev.keel.config.KeelConfig;
import dev.keel.config.Ports;
import dev.keel.spi.Extension;
import dev.keel.spi.Host;
import dev.keel.spi.SocketGate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener as a Keel extension: {@code GET /metrics}, the {@code /debug/*} endpoints and
 * the dashboard, on their own port and their own event loop, so that a scrape or a profile never
 * runs on a connection's event loop and is never reachable through the public port. Its options are
 * {@link AdminOptions}, read from the server's configuration; {@code admin-port off} starts nothing.
 *
 * <p>Usage: {@code Keel.builder().handler(h).extension(new AdminExtension()).build().start()}
 */
public final class AdminExtension implements Extension {
  private static final Logger log = LoggerFactory.getLogger(AdminExtension.class);
  private static final int MAX_REQUEST = 64 * 1024;

  private EventLoopGroup group;
  private KeelMetrics metrics;
  private EventLoopLag lag;
  private StreamHub hub;
  private Channel listener;

  @Override
  public void start(Host host) throws InterruptedException {
    KeelConfig config = host.config();
    int port = config.get(AdminOptions.ADMIN_PORT);
    if (port == Ports.OFF) {
      return;
    }
    group = host.newEventLoopGroup(1, "keel-admin");
    try {
      metrics = new KeelMetrics(config, host);
      MemoryProbe memory = new MemoryProbe(host);
      AdminRoutes routes = new AdminRoutes(config, metrics, memory, new ConnectionLedger(host));
      lag = new EventLoopLag(host.eventLoops(), metrics.registry());
      hub = new StreamHub(group.next(), host.readings(), memory, lag);
      StaticAssets assets = new StaticAssets();
      String token = config.get(AdminOptions.ADMIN_TOKEN);
      String bindHost = config.get(AdminOptions.ADMIN_HOST);
      // Its sockets come from a reserve of max-sockets: the admin port answers when the public ones are full.
      SocketGate gate = host.reserveSockets("admin", config.get(AdminOptions.ADMIN_MAX_CONNECTIONS),
          config.get(AdminOptions.ADMIN_MAX_CONNECTIONS_PER_IP));
      long requestTimeout = config.get(AdminOptions.ADMIN_REQUEST_TIMEOUT).toNanos();
      try {
        listener = new ServerBootstrap()
            .group(group)
            .channel(host.serverChannelType())
            .childHandler(new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel c) {
                if (!gate.admit(c)) {
                  c.close(); // over the reserve, or its address holds its share: before any byte is read
                  return;
                }
                c.pipeline()
                    .addLast(new HttpServerCodec(4096, 8192, 8192))
                    .addLast(new HttpObjectAggregator(MAX_REQUEST))
                    .addLast("deadline", new AdminDeadline(requestTimeout))
                    .addLast(new AdminHandler(routes, assets, hub, token));
              }
            })
            .bind(bindHost, port).sync().channel();
        gate.listening(listener);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("cannot bind the admin listener on " + bindHost + ":" + port + ": "
            + e.getMessage(), e);
      }
      log.info("admin listening on {}:{}", bindHost, port());
    } catch (InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The admin listener's port, or -1 when it is off or not started. */
  public int port() {
    Channel l = listener;
    return l == null ? -1 : ((InetSocketAddress) l.localAddress()).getPort();
  }

  /** The Prometheus registry's meters (null before start or when off). */
  public KeelMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      listener = null;
    }
    if (hub != null) {
      hub.close();
      hub = null;
    }
    if (lag != null) {
      lag.close();
      lag = null;
    }
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      group = null;
    }
  }
}
