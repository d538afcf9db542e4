package dev.keel.api;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.engine.Engine;
import dev.keel.spi.Extension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded Keel server running your {@link Handler}: the WebSocket (and HTTP) listener and the
 * framed-TCP listener, every bound of {@link KeelConfig}, and the topic fan-out. Nothing else: no
 * admin port, no HTTP publish endpoint, no logging configuration, unless you add them (the
 * {@code keel-admin} module's extension, an {@link dev.keel.spi.HttpRoute} of your own).
 *
 * <p>Usage:
 * <pre>{@code
 * try (Keel keel = Keel.builder()
 *     .wsPort(8080).tcpPort(Ports.OFF)               // no framed-TCP listener
 *     .configure(b -> b.set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(2)))
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
  private static final Logger log = LoggerFactory.getLogger(Keel.class);

  private final KeelConfig config;
  private final Function<Topics, Handler> handlerFactory;
  private final List<Extension> extensions;
  private final Live live = new Live();
  private final List<Extension> started = new ArrayList<>();
  private volatile Engine engine;
  private volatile HandlerBridge bridge;
  private volatile Topics topics;
  private boolean closed;

  private Keel(KeelConfig config, Function<Topics, Handler> handlerFactory, List<Extension> extensions) {
    this.config = config;
    this.handlerFactory = handlerFactory;
    this.extensions = List.copyOf(extensions);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the extensions, then binds the listeners; returns this. On failure everything started so
   * far is stopped again before the exception is thrown.
   *
   * @throws IllegalStateException if a listener cannot bind (it names the listener and address) or an
   *     extension fails to start
   */
  public synchronized Keel start() throws InterruptedException {
    if (engine != null) {
      throw new IllegalStateException("already started");
    }
    Engine e = new Engine(config, registry -> {
      topics = new RegistryTopics(registry, config.get(CoreOptions.MAX_SUBSCRIPTIONS));
      Handler handler = Objects.requireNonNull(handlerFactory.apply(topics), "the handler factory returned null");
      bridge = new HandlerBridge(handler, config, registry, live, HandlerBridge.VIRTUAL_THREADS);
      return bridge;
    });
    engine = e;
    try {
      for (Extension x : extensions) {
        x.start(e.host());
        started.add(x);
      }
      e.bind();
    } catch (InterruptedException | RuntimeException ex) {
      stopAll();
      throw ex;
    } catch (Exception ex) {
      stopAll();
      throw new IllegalStateException("an extension failed to start: " + ex.getMessage(), ex);
    }
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

  /** The WebSocket/HTTP port (useful with port 0), or -1 when that listener is off. */
  public int wsPort() {
    return started().wsPort();
  }

  /** The framed-TCP port, or -1 when that listener is off. */
  public int tcpPort() {
    return started().tcpPort();
  }

  public KeelConfig config() {
    return config;
  }

  /**
   * Drains and stops: stops admitting connections, lets every connection flush its queue and close
   * with 1001 (within {@code shutdown-grace}), closes the extensions (last added first), then stops the
   * event loops. Blocks until done. Idempotent.
   */
  @Override
  public synchronized void close() {
    Engine e = engine;
    if (e == null || closed) {
      return;
    }
    closed = true;
    e.drain();
    stopAll();
  }

  private void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (RuntimeException ex) {
        log.warn("extension {} failed to close", started.get(i), ex);
      }
    }
    started.clear();
    Engine e = engine;
    if (e != null) {
      e.stop();
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

  private Engine started() {
    Engine e = engine;
    if (e == null) {
      throw new IllegalStateException("not started");
    }
    return e;
  }

  /** Collects listeners, bounds, the handler and extensions; {@link #build()} validates them all at once. */
  public static final class Builder {
    private KeelConfig.Builder config = KeelConfig.builder();
    private Function<Topics, Handler> handlerFactory;
    private final List<Extension> extensions = new ArrayList<>();

    private Builder() {}

    /** Starts from {@code config} (all its options), replacing what was set so far. */
    public Builder config(KeelConfig config) {
      this.config = config.toBuilder();
      return this;
    }

    /** Sets any option: {@code configure(b -> b.set(CoreOptions.MAX_CONNECTIONS, 1000))}. */
    public Builder configure(UnaryOperator<KeelConfig.Builder> change) {
      this.config = change.apply(config);
      return this;
    }

    /** Sets one option: {@code set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(2))}. */
    public <T> Builder set(dev.keel.config.Option<T> option, T value) {
      config.set(option, value);
      return this;
    }

    public Builder host(String host) {
      config.set(CoreOptions.HOST, host);
      return this;
    }

    /** The WebSocket and HTTP port; 0 picks a free one, {@code Ports.OFF} disables the listener. */
    public Builder wsPort(int port) {
      config.set(CoreOptions.WS_PORT, port);
      return this;
    }

    /** The HTTP path WebSocket clients upgrade on (default {@code /ws}). */
    public Builder wsPath(String path) {
      config.set(CoreOptions.WS_PATH, path);
      return this;
    }

    /** The framed-TCP port; 0 picks a free one, {@code Ports.OFF} disables the listener. */
    public Builder tcpPort(int port) {
      config.set(CoreOptions.TCP_PORT, port);
      return this;
    }

    /** Messages read ahead of a connection's handler before its socket stops being read. */
    public Builder inboundQueueMessages(int messages) {
      config.set(CoreOptions.INBOUND_QUEUE_MESSAGES, messages);
      return this;
    }

    /** Interrupt a handler call that runs longer than this; {@link Duration#ZERO} for never. */
    public Builder handlerTimeout(Duration timeout) {
      config.set(CoreOptions.HANDLER_TIMEOUT, timeout);
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
     * Adds an extension (the admin listener, cluster mode, an HTTP route): started before the
     * listeners bind, in the order added, and closed after the drain, in reverse.
     */
    public Builder extension(Extension extension) {
      extensions.add(Objects.requireNonNull(extension, "extension"));
      return this;
    }

    /**
     * @throws IllegalArgumentException naming every bad option, or a missing handler
     */
    public Keel build() {
      Objects.requireNonNull(handlerFactory, "handler must be set");
      return new Keel(config.build(), handlerFactory, extensions);
    }
  }
}
