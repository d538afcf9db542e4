package dev.keel.engine;

import dev.keel.auth.AuthGate;
import dev.keel.auth.TokenVerifier;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Ports;
import dev.keel.fanout.FanOutCounters;
import dev.keel.fanout.HistorySettings;
import dev.keel.fanout.TopicRegistry;
import dev.keel.config.Units;
import dev.keel.limit.AddressLimiter;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.SocketBudget;
import dev.keel.session.CloseCause;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.ServerContext;
import dev.keel.session.Session;
import dev.keel.session.SessionCounters;
import dev.keel.session.Sessions;
import dev.keel.transport.Tls;
import dev.keel.transport.tcp.TcpInitializer;
import dev.keel.transport.ws.HttpExtras;
import dev.keel.transport.ws.WsInitializer;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine under an embedded Keel: the event loops, the HTTP + WebSocket and framed-TCP listeners,
 * one topic registry and one connection registry. It knows nothing of the embedding API: it runs
 * whatever {@link ConnectionHandler} it is given (the API's virtual-thread bridge), wrapped in the
 * token gate when authentication is configured.
 *
 * <p>Lifecycle: {@link #Engine} builds everything and binds nothing, so that extensions can register
 * with {@link #host()}; optionally {@link #bindPrivate()} opens a private loopback listener for a
 * warm-up and {@link #closePrivate()} closes it; {@link #bind()} opens the public listeners;
 * {@link #drain()} stops admitting and lets every connection flush and close; {@link #stop()} closes
 * what is left and stops the loops.
 */
public final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private final KeelConfig config;
  private final Transport transport;
  private final SessionCounters counters = new SessionCounters();
  private final Sessions sessions;
  // One allocator per server: its figures are this server's alone (tests and the leak check read them).
  private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
  private final TopicRegistry topics;
  private final SocketBudget sockets;
  private final AcceptGate admission;
  private final MemoryBudget memory;
  private final OverloadControl overload;
  private final ServerContext context;
  /** The connect-token verifier, or null when authentication is off. */
  private final TokenVerifier verifier;
  private final HttpExtras http = new HttpExtras();
  private final EngineHost host;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final OpenChannels allChannels = new OpenChannels();
  private final AtomicBoolean drained = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  // Set by the first bind (prepare), on the thread that starts the server.
  private Listeners listeners;
  private Tls tls;
  private WsInitializer wsInitializer;
  private volatile Channel privateListener;
  private Channel wsListener;
  private io.netty.util.concurrent.ScheduledFuture<?> historySweep;
  private Channel tcpListener;

  /**
   * @param application makes the handler every connection runs, given this engine's topic registry
   */
  public Engine(KeelConfig config, Function<TopicRegistry, ConnectionHandler> application) {
    this.config = config;
    this.transport = Transport.of(config.get(CoreOptions.IO_TRANSPORT));
    this.sessions = new Sessions(config.get(CoreOptions.MAX_CONNECTIONS));
    this.memory = new MemoryBudget(budgetBytes(config));
    this.topics = new TopicRegistry(allocator, new FanOutCounters(), HistorySettings.from(config), memory,
        Ticker.systemTicker());
    this.sockets = SocketBudgets.of(config);
    AddressLimiter limiter = new AddressLimiter(config.get(CoreOptions.MAX_CONNECTIONS_PER_IP),
        config.get(CoreOptions.CONNECT_RATE_PER_IP), config.get(CoreOptions.CONNECT_BURST_PER_IP),
        config.get(CoreOptions.HTTP_RATE_LIMIT_PER_IP), Ticker.systemTicker());
    this.admission = new AcceptGate(limiter, sockets.shared(), counters, allChannels, new ProxyTrust(config), memory,
        config.get(CoreOptions.MAX_CONNECTIONS_PER_IP), config.get(CoreOptions.CONNECT_RATE_PER_IP));
    Clock clock = Clock.systemUTC();
    TokenVerifier verifier = TokenVerifier.from(config, clock);
    ConnectionHandler handler = gate(application.apply(topics), verifier, clock);
    this.verifier = verifier;
    this.context = new ServerContext(config, handler, sessions, counters, allocator, verifier != null, memory);
    int threads = config.get(CoreOptions.IO_THREADS) > 0 ? config.get(CoreOptions.IO_THREADS)
        : Runtime.getRuntime().availableProcessors();
    this.boss = transport.newGroup(1, "keel-accept");
    this.workers = transport.newGroup(threads, "keel-io");
    this.host = new EngineHost(this);
    this.overload = new OverloadControl(config, memory, new MemoryPressure(allocator,
        config.get(CoreOptions.MEMORY_HEAP_HIGH), config.get(CoreOptions.MEMORY_HEAP_CRITICAL)), sessions,
        topics, Ticker.systemTicker());
  }

  /**
   * The budget in bytes: as configured, or for {@code auto} 80% of the smaller of the JVM's maximum
   * heap and maximum direct memory, so that what is accounted fits either one (queued frames are
   * direct memory, messages waiting for a handler are heap). The launcher always passes a number.
   */
  public static long budgetBytes(KeelConfig config) {
    long configured = config.get(CoreOptions.MEMORY_BUDGET);
    if (configured > 0) {
      return configured;
    }
    long direct = io.netty.util.internal.PlatformDependent.maxDirectMemory();
    long heap = Runtime.getRuntime().maxMemory();
    return Math.max(16L << 20, Math.min(heap, direct > 0 ? direct : heap) * 8 / 10);
  }

  /**
   * The handler chain every connection runs: the application's handler, behind the connect-token gate
   * when a verifier is configured.
   */
  public static ConnectionHandler gate(ConnectionHandler application, TokenVerifier verifier, Clock clock) {
    return verifier == null ? application : new AuthGate(application, verifier, clock);
  }

  /** What extensions see of this engine. */
  public EngineHost host() {
    return host;
  }

  /**
   * Binds a private WebSocket/HTTP listener on 127.0.0.1, on a free port, before {@link #bind()}: for a
   * warm-up that runs the public listener's code before any client can connect. Its pipeline is the
   * public WebSocket listener's (the same initializer, event loops, bounds, counters and limits), but
   * plaintext and without a PROXY header whatever the public one takes, and its peers are admitted as
   * direct clients, so that a local client can speak to it. Closed by {@link #closePrivate()}, and by
   * {@link #bind()}, {@link #drain()} and {@link #stop()} if still open; the connections made to it are
   * not closed with it (the warm-up closes its own; a drain closes whatever is left).
   *
   * @return its address
   * @throws IllegalStateException if it is already bound or the public listeners are
   */
  public InetSocketAddress bindPrivate() throws InterruptedException {
    if (privateListener != null || wsListener != null || tcpListener != null) {
      throw new IllegalStateException("the private listener binds once, before the public listeners");
    }
    prepare();
    Channel listener = listeners.bindPrivate("private WebSocket/HTTP", wsInitializer, counters.ws);
    privateListener = listener;
    InetSocketAddress address = (InetSocketAddress) listener.localAddress();
    log.info("private listener on {}:{} for the warm-up (plaintext, loopback only; closed before the public"
        + " listeners open)", address.getHostString(), address.getPort());
    return address;
  }

  /** Closes the private listener, if one is open (it accepts nothing more once this returns). Idempotent. */
  public void closePrivate() {
    Channel listener = privateListener;
    if (listener != null && listener.isOpen()) {
      closeListener(listener);
      log.debug("private listener closed");
    }
  }

  /**
   * Binds the public listeners (port 0 picks a free one; {@code off} skips one), closing the private one
   * first if it is still open.
   */
  public void bind() throws InterruptedException {
    prepare();
    // Closed first, not after: it takes no TLS and no PROXY header, so it is open no longer than the
    // warm-up needs, and there is never a moment with a listener open that the log line below leaves out.
    closePrivate();
    String bindHost = config.get(CoreOptions.HOST);
    if (config.get(CoreOptions.WS_PORT) != Ports.OFF) {
      wsListener = listeners.bind("WebSocket/HTTP", wsInitializer, counters.ws, config.get(CoreOptions.WS_PORT));
    }
    if (config.get(CoreOptions.TCP_PORT) != Ports.OFF) {
      tcpListener = listeners.bind("framed TCP", new TcpInitializer(context), counters.tcp,
          config.get(CoreOptions.TCP_PORT));
    }
    if (!CoreOptions.authConfigured(config)) {
      log.warn("no authentication configured: anyone who can reach {} may connect, subscribe and publish"
          + " (set --auth-hmac-secret or --auth-public-key; docs/security.md)", bindHost);
    }
    log.info("keel listening: {} on {}, framed tcp{} on {} ({} transport, {} io threads)",
        tls == null ? "ws+http" : "wss+https", wsListener == null ? "-" : bindHost + ":" + wsPort(),
        tls == null ? "" : "+tls (" + tls.provider() + ")", tcpListener == null ? "-" : bindHost + ":" + tcpPort(),
        transport.name(), countLoops());
  }

  /**
   * Once, before the first listener binds (private or public): closes the extensions' registrations,
   * loads TLS (a bad certificate fails the start before a warm-up is spent on it), and starts the
   * server-wide tasks that connections depend on, the warm-up's included.
   */
  private void prepare() {
    if (listeners != null) {
      return;
    }
    host.freeze();
    try {
      tls = Tls.from(config);
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("cannot load tls-cert/tls-key: " + e.getMessage(), e);
    }
    listeners = new Listeners(config, transport, boss, workers, allocator, tls, admission);
    wsInitializer = new WsInitializer(context, http, verifier, admission.limiter());
    overload.start(boss.next());
    HistorySettings history = topics.historySettings();
    if (history.enabled()) {
      // One sweep per server (never per topic): expired history leaves, and topics left empty with it.
      historySweep = boss.next().scheduleAtFixedRate(topics::sweep, history.sweepIntervalNanos(),
          history.sweepIntervalNanos(), TimeUnit.NANOSECONDS);
      log.info("topic history: {} messages, {} per topic, for {}", history.size(),
          Units.formatSize(history.maxBytes()), Units.formatDuration(java.time.Duration.ofNanos(history.ttlNanos())));
    }
    log.info("memory budget {} (high {}%, shed {}%)", Units.formatSize(memory.budget()),
        config.get(CoreOptions.MEMORY_HIGH_MARK), config.get(CoreOptions.MEMORY_SHED_MARK));
    SocketBudgets.logged(sockets);
  }

  private int countLoops() {
    int n = 0;
    for (var ignored : workers) {
      n++;
    }
    return n;
  }

  /** The WebSocket/HTTP port, or -1 when that listener is off. */
  public int wsPort() {
    return wsListener == null ? -1 : ((InetSocketAddress) wsListener.localAddress()).getPort();
  }

  /** The framed-TCP port, or -1 when that listener is off. */
  public int tcpPort() {
    return tcpListener == null ? -1 : ((InetSocketAddress) tcpListener.localAddress()).getPort();
  }

  public KeelConfig config() {
    return config;
  }

  SessionCounters counters() {
    return counters;
  }

  Sessions sessions() {
    return sessions;
  }

  TopicRegistry topics() {
    return topics;
  }

  PooledByteBufAllocator allocator() {
    return allocator;
  }

  EventLoopGroup workers() {
    return workers;
  }

  Transport transport() {
    return transport;
  }

  HttpExtras http() {
    return http;
  }

  MemoryBudget budget() {
    return memory;
  }

  AcceptGate acceptGate() {
    return admission;
  }

  SocketBudget sockets() {
    return sockets;
  }

  /**
   * Drains: stops admitting connections (the TCP port closes, WebSocket upgrades get 503), turns
   * {@code /healthz} to 503, lets every connection flush its queue and then closes it with 1001,
   * waits up to the shutdown grace, then closes the WebSocket/HTTP listener. Idempotent; blocks.
   */
  public void drain() {
    if (!drained.compareAndSet(false, true)) {
      return;
    }
    Duration grace = config.get(CoreOptions.SHUTDOWN_GRACE);
    log.info("draining {} connections (grace {})", sessions.count(), dev.keel.config.Units.formatDuration(grace));
    sessions.startDraining();
    closePrivate(); // a warm-up under way ends: it has nothing to do on a server that is going away
    // The HTTP port stays open while draining, so that health probes see 503 (and upgrades are refused
    // with 503) instead of a refused connection; the TCP port has nothing to say and closes now.
    closeListener(tcpListener);
    for (Session s : sessions.all()) {
      s.eventLoop().execute(() -> s.close(CloseCause.SHUTDOWN));
    }
    boolean done;
    try {
      done = sessions.awaitEmpty(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    if (!done) {
      log.warn("{} connections still open after the grace period: closing them", sessions.count());
    }
    closeListener(wsListener);
    allChannels.closeAll(5, TimeUnit.SECONDS);
  }

  /** Closes every channel and stops the event loops. Idempotent; blocks. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    overload.stop();
    if (historySweep != null) {
      historySweep.cancel(false);
    }
    closeListener(privateListener); // stopped during a warm-up: it must not outlive the server
    closeListener(wsListener);
    closeListener(tcpListener);
    allChannels.closeAll(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    topics.clearHistory(); // after the loops: nothing publishes any more
    log.info("stopped");
  }

  private static void closeListener(Channel listener) {
    if (listener != null) {
      listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
