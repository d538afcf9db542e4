package dev.keel.server;

import dev.keel.admin.AdminServer;
import dev.keel.auth.TokenVerifier;
import dev.keel.cluster.RedisRelay;
import dev.keel.config.KeelConfig;
import dev.keel.api.Keel;
import dev.keel.limit.AddressLimiter;
import dev.keel.pubsub.PubSubService;
import dev.keel.session.Admission;
import dev.keel.transport.Tls;
import dev.keel.pubsub.PublishApi;
import dev.keel.pubsub.TopicRegistry;
import dev.keel.session.CloseReason;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import dev.keel.session.Sessions;
import dev.keel.session.Stats;
import dev.keel.transport.tcp.TcpInitializer;
import dev.keel.transport.ws.WsInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Keel server: the HTTP + WebSocket listener and the framed-TCP listener, sharing one set of
 * event loops, one topic registry and one connection registry.
 *
 * <p>Usage:
 * <pre>{@code
 * try (KeelServer server = KeelServer.start(KeelConfig.builder().wsPort(0).tcpPort(0).build())) {
 *   int port = server.wsPort();
 *   ...
 * } // close() drains: queued messages are flushed, clients get close 1001
 * }</pre>
 */
public final class KeelServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeelServer.class);

  private final KeelConfig config;
  private final Transport transport;
  private final Stats stats = new Stats();
  private final Sessions sessions;
  // One allocator per server: its figures are this server's alone (tests and the leak check read them).
  private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
  private final TopicRegistry topics;
  private final AddressLimiter addressLimiter;
  private Tls tls;
  private final ServerContext context;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ChannelGroup allChannels = new DefaultChannelGroup("keel", GlobalEventExecutor.INSTANCE);
  private final AtomicBoolean stopped = new AtomicBoolean();
  private Channel wsListener;
  private Channel tcpListener;
  private EventLoopGroup adminGroup;
  private AdminServer admin;
  /** Cluster mode only: the Redis connections that carry every publish. */
  private RedisRelay relay;

  private KeelServer(KeelConfig config, Function<TopicRegistry, ConnectionHandler> application) {
    this.config = config;
    this.transport = Transport.of(config.ioTransport());
    this.sessions = new Sessions(config.maxConnections());
    this.topics = new TopicRegistry(allocator, stats);
    this.addressLimiter = new AddressLimiter(config.maxConnectionsPerIp(), config.connectRatePerIp(),
        config.connectBurstPerIp(), Ticker.systemTicker());
    this.context = new ServerContext(config, application.apply(topics), sessions, stats, allocator,
        TokenVerifier.from(config, java.time.Clock.systemUTC()));
    int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    this.boss = transport.newGroup(1, "keel-accept");
    this.workers = transport.newGroup(threads, "keel-io");
  }

  /** Binds both listeners (port 0 picks a free one) and returns the running server. */
  public static KeelServer start(KeelConfig config) throws InterruptedException {
    // The built-in server is one embedding-API application among others.
    return Keel.builder()
        .config(config)
        .handler(topics -> new PubSubService(topics, config.maxSubscriptions(), config.clusterRedis() != null))
        .build()
        .start()
        .server();
  }

  /**
   * Binds both listeners with {@code application} on every connection (the embedding API passes
   * its virtual-thread bridge here); the function receives this server's topic registry.
   */
  public static KeelServer start(KeelConfig config,
      Function<TopicRegistry, ConnectionHandler> application) throws InterruptedException {
    KeelServer server = new KeelServer(config, application);
    try {
      server.bind();
    } catch (RuntimeException | InterruptedException e) {
      if (server.admin != null) {
        server.admin.close();
      }
      server.closeListener(server.wsListener);
      server.closeListener(server.tcpListener);
      server.shutdownGroups();
      if (server.relay != null) {
        server.relay.close();
      }
      throw e;
    }
    return server;
  }

  private void bind() throws InterruptedException {
    try {
      tls = Tls.from(config);
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("cannot load tls-cert/tls-key: " + e.getMessage(), e);
    }
    if (config.clusterRedis() != null) {
      // Before the listeners: no connection can subscribe or publish before the relay is in place.
      relay = RedisRelay.start(config, topics, stats);
      topics.relay(relay);
    }
    wsListener = bootstrap(new WsInitializer(context, new PublishApi(topics)), stats.ws)
        .bind(config.host(), config.wsPort()).sync().channel();
    if (config.tcpPort() != 0) { // 0 disables TCP; -1 asks for any free port
      tcpListener = bootstrap(new TcpInitializer(context), stats.tcp)
          .bind(config.host(), Math.max(config.tcpPort(), 0)).sync().channel();
    }
    if (config.authHmacSecret() == null && config.authPublicKey() == null) {
      log.warn("no authentication configured: anyone who can reach {}:{} may connect, subscribe and publish"
          + " (set --auth-hmac-secret or --auth-public-key; docs/security.md)", config.host(), wsPort());
    }
    if (config.adminPort() != 0) { // 0 disables the admin listener; -1 asks for any free port
      adminGroup = transport.newGroup(1, "keel-admin");
      admin = AdminServer.start(config, stats, sessions, topics, allocator, adminGroup,
          transport.serverChannel(), workers);
    }
    log.info("keel listening: {} on {}:{}, framed tcp{} on {}, admin on {} ({} transport, {} io threads)",
        tls == null ? "ws+http" : "wss+https", config.host(), wsPort(), tls == null ? "" : "+tls (" + tls.provider() + ")",
        tcpListener == null ? "-" : config.host() + ":" + tcpPort(),
        admin == null ? "-" : config.adminHost() + ":" + adminPort(), transport.name(), countLoops());
  }

  private int countLoops() {
    int n = 0;
    for (var ignored : workers) {
      n++;
    }
    return n;
  }

  private ServerBootstrap bootstrap(ChannelInitializer<Channel> initializer, Stats.TransportStats counted) {
    Tls tls = this.tls;
    int high = config.writeBufferHighWater();
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.ALLOCATOR, allocator)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            allChannels.add(ch);
            if (!admit(ch, counted)) {
              return;
            }
            ch.pipeline().addLast(initializer);
            if (tls != null) {
              tls.addTo(ch); // first: everything else sees plaintext
            }
          }
        });
    if (config.socketSendBuffer() > 0) {
      b.childOption(ChannelOption.SO_SNDBUF, config.socketSendBuffer());
    }
    return b;
  }

  /**
   * Per-address admission. A refused TCP connection is closed at once; a refused HTTP connection
   * keeps its pipeline so that its request is answered 503 (see {@link Admission}).
   */
  private boolean admit(Channel ch, Stats.TransportStats counted) {
    if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
      return true;
    }
    InetAddress address = remote.getAddress();
    AddressLimiter.Verdict verdict = addressLimiter.tryAcquire(address);
    if (verdict == AddressLimiter.Verdict.ADMITTED) {
      ch.closeFuture().addListener(f -> addressLimiter.release(address));
      return true;
    }
    CloseReason reason = verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS
        ? CloseReason.IP_LIMIT : CloseReason.CONNECT_RATE;
    counted.closed(reason);
    if (counted == stats.tcp) {
      ch.close();
      return false;
    }
    Admission.refuse(ch, reason);
    return true;
  }

  /** Per-address admission state (for tests and diagnostics). */
  public AddressLimiter addressLimiter() {
    return addressLimiter;
  }

  /** The event loops' transport as it loaded: "epoll", "io_uring" or "nio". */
  public String transportName() {
    return transport.name();
  }

  public int wsPort() {
    return ((InetSocketAddress) wsListener.localAddress()).getPort();
  }

  /** The framed-TCP port, or -1 when the TCP listener is disabled. */
  public int tcpPort() {
    return tcpListener == null ? -1 : ((InetSocketAddress) tcpListener.localAddress()).getPort();
  }

  /** The admin listener's port, or -1 when it is disabled. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  public KeelConfig config() {
    return config;
  }

  public Stats stats() {
    return stats;
  }

  public Sessions sessions() {
    return sessions;
  }

  public TopicRegistry topics() {
    return topics;
  }

  public PooledByteBufAllocator allocator() {
    return allocator;
  }

  /** The Redis relay in cluster mode, else null. */
  public RedisRelay relay() {
    return relay;
  }

  /** The event loops that own the connections (for diagnostics and tests). */
  public EventLoopGroup eventLoops() {
    return workers;
  }

  /**
   * Drains and stops: stops admitting connections (the TCP port closes, WebSocket upgrades get 503),
   * turns {@code /healthz} to 503, lets every connection flush
   * its queue and then closes it with 1001, waits up to the shutdown grace, closes what is left,
   * and stops the event loops. Idempotent; blocks until done.
   */
  public void shutdown() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    Duration grace = config.shutdownGrace();
    log.info("draining {} connections (grace {})", sessions.count(), grace);
    sessions.startDraining();
    // The HTTP port stays open while draining, so that health probes see 503 (and upgrades are refused
    // with 503) instead of a refused connection; the TCP port has nothing to say and closes now.
    closeListener(tcpListener);
    for (Session s : sessions.all()) {
      s.eventLoop().execute(() -> s.close(CloseReason.SHUTDOWN));
    }
    boolean drained;
    try {
      drained = sessions.awaitEmpty(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    if (!drained) {
      log.warn("{} connections still open after the grace period: closing them", sessions.count());
    }
    closeListener(wsListener);
    allChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (relay != null) {
      relay.close(); // after the drain: connections flushed what Redis had delivered
    }
    if (admin != null) {
      admin.close(); // last: the operator can watch the drain
    }
    shutdownGroups();
    log.info("stopped");
  }

  private void closeListener(Channel listener) {
    if (listener != null) {
      listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private void shutdownGroups() {
    if (adminGroup != null) {
      adminGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    shutdown();
  }
}
