package dev.keel.api;

import dev.keel.config.KeelConfig;
import dev.keel.server.KeelServer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * An embedded Keel server running your {@link Handler}: the WebSocket (and HTTP) listener and the
 * framed-TCP listener, every bound of {@link KeelConfig}, and the topic fan-out.
 *
 * <p>Usage:
 * <pre>{@code
 * try (Keel keel = Keel.builder()
 *     .wsPort(8080).tcpPort(0)                       // 0: no framed-TCP listener
 *     .configure(b -> b.idleTimeout(Duration.ofMinutes(2)).inboundQueueMessages(32))
 *     .handler((conn, msg) -> conn.send("echo: " + msg.text()))
 *     .build()
 *     .start()) {
 *   keel.topics().publish("news", "{\"text\":\"hi\"}");
 *   ...
 * } // close() drains: queued messages are flushed, clients get close 1001
 * }</pre>
 *
 * <p>WebSocket clients connect to {@code ws://HOST:PORT/ws}; framed-TCP clients send a 4-byte
 * big-endian length and that many bytes (docs/protocol.md).
 */
public final class Keel implements AutoCloseable {
  private final KeelConfig config;
  private final Function<Topics, Handler> handlerFactory;
  private final Live live = new Live();
  private volatile KeelServer server;
  private volatile HandlerBridge bridge;
  private volatile Topics topics;

  private Keel(KeelConfig config, Function<Topics, Handler> handlerFactory) {
    this.config = config;
    this.handlerFactory = handlerFactory;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the listeners; returns this. */
  public synchronized Keel start() throws InterruptedException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    server = KeelServer.start(config, registry -> {
      topics = new RegistryTopics(registry, config.maxSubscriptions());
      Handler handler = Objects.requireNonNull(handlerFactory.apply(topics), "the handler factory returned null");
      bridge = new HandlerBridge(handler, config, registry, live);
      return bridge;
    });
    return this;
  }

  /** Publish to, and subscribe connections to, this server's topics. Available once started. */
  public Topics topics() {
    Topics t = topics;
    if (t == null) {
      throw new IllegalStateException("not started");
    }
    return t;
  }

  /** The WebSocket/HTTP port (useful with port 0). */
  public int wsPort() {
    return started().wsPort();
  }

  /** The framed-TCP port, or -1 when that listener is disabled. */
  public int tcpPort() {
    return started().tcpPort();
  }

  public KeelConfig config() {
    return config;
  }

  /** Drains and stops (see {@link KeelServer#shutdown()}); blocks until done. Idempotent. */
  @Override
  public void close() {
    KeelServer s = server;
    if (s != null) {
      s.shutdown();
    }
  }

  // ------------------------------------------------------------ diagnostics

  /** Connections whose {@code onClose} has not yet finished. */
  public int liveConnections() {
    return live.connections.get();
  }

  /** Virtual threads Keel started (handler runners and forked tasks) that are still running. */
  public int liveVirtualThreads() {
    return live.threads.get();
  }

  /** Connection scopes not yet cancelled. */
  public int liveScopes() {
    return live.scopes.get();
  }

  /** The most messages any one connection's inbound queue has held since start. */
  public int inboundQueueHighWater() {
    HandlerBridge b = bridge;
    return b == null ? 0 : b.inboundHighWater();
  }

  /** The engine underneath: connection registry, counters, allocator, event loops. */
  public KeelServer server() {
    return started();
  }

  private KeelServer started() {
    KeelServer s = server;
    if (s == null) {
      throw new IllegalStateException("not started");
    }
    return s;
  }

  /** Collects listeners, bounds and the handler; {@link #build()} validates them all at once. */
  public static final class Builder {
    private KeelConfig.Builder config = KeelConfig.builder();
    private Function<Topics, Handler> handlerFactory;

    private Builder() {}

    /** Starts from {@code config} (all its options), replacing what was set so far. */
    public Builder config(KeelConfig config) {
      this.config = config.toBuilder();
      return this;
    }

    /** Sets any bound: {@code configure(b -> b.maxConnections(1000).writeTimeout(Duration.ofSeconds(5)))}. */
    public Builder configure(UnaryOperator<KeelConfig.Builder> change) {
      this.config = change.apply(config);
      return this;
    }

    public Builder host(String host) {
      config.host(host);
      return this;
    }

    /** The WebSocket and HTTP port; 0 picks a free one. */
    public Builder wsPort(int port) {
      config.wsPort(port);
      return this;
    }

    /** The HTTP path WebSocket clients upgrade on (default {@code /ws}). */
    public Builder wsPath(String path) {
      config.wsPath(path);
      return this;
    }

    /** The framed-TCP port; 0 disables the listener, -1 picks a free port. */
    public Builder tcpPort(int port) {
      config.tcpPort(port);
      return this;
    }

    /** Messages read ahead of a connection's handler before its socket stops being read. */
    public Builder inboundQueueMessages(int messages) {
      config.inboundQueueMessages(messages);
      return this;
    }

    /** Interrupt a handler call that runs longer than this; {@link Duration#ZERO} for never. */
    public Builder handlerTimeout(Duration timeout) {
      config.handlerTimeout(timeout);
      return this;
    }

    /** The handler every connection runs. */
    public Builder handler(Handler handler) {
      Objects.requireNonNull(handler, "handler");
      this.handlerFactory = topics -> handler;
      return this;
    }

    /**
     * A handler that needs the server's {@link Topics} from its first connection on, made once at
     * start: {@code handler(topics -> new MyHandler(topics))}.
     */
    public Builder handler(Function<Topics, Handler> factory) {
      this.handlerFactory = Objects.requireNonNull(factory, "handler factory");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming every bad option, or a missing handler
     */
    public Keel build() {
      Objects.requireNonNull(handlerFactory, "handler must be set");
      return new Keel(config.build(), handlerFactory);
    }
  }
}
