package dev.keel.api;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.engine.Engine;
import dev.keel.spi.Extension;
import java.net.InetSocketAddress;
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
  /** Run before the public listeners bind, or null (the default: they bind at once). */
  private final Warmup warmup;
  private final Live live = new Live();
  private final List<Extension> started = new ArrayList<>();
  private volatile Engine engine;
  private volatile HandlerBridge bridge;
  private volatile Topics topics;
  private boolean closed;

  private Keel(KeelConfig config, Function<Topics, Handler> handlerFactory, List<Extension> extensions,
      Warmup warmup) {
    this.config = config;
    this.handlerFactory = handlerFactory;
    this.extensions = List.copyOf(extensions);
    this.warmup = warmup;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the extensions, then binds the listeners; returns this. With a {@link Builder#warmup warm-up},
   * runs it against a private listener between the two, and binds the public listeners only once it has
   * returned. On failure everything started so far is stopped again before the exception is thrown.
   *
   * @throws IllegalStateException if a listener cannot bind (it names the listener and address), an
   *     extension fails to start, the warm-up throws, or {@link #close()} was called during the warm-up
   */
  public Keel start() throws InterruptedException {
    Engine e;
    InetSocketAddress privateListener = null;
    synchronized (this) {
      if (engine != null) {
        throw new IllegalStateException("already started");
      }
      e = new Engine(config, registry -> {
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
        if (warmup == null) {
          e.bind();
        } else {
          privateListener = e.bindPrivate();
        }
      } catch (InterruptedException | RuntimeException ex) {
        stopAll();
        throw ex;
      } catch (Exception ex) {
        stopAll();
        throw new IllegalStateException("an extension failed to start: " + ex.getMessage(), ex);
      }
    }
    if (warmup != null) {
      warmUp(e, privateListener);
    }
    return this;
  }

  /**
   * Runs the warm-up, then binds the public listeners. Outside the monitor, so that {@link #close()} can
   * stop a server that is still warming up (a shutdown signal during a long warm-up) instead of waiting
   * for it: then the private listener is closed by the engine's stop, and the public ones never open.
   */
  private void warmUp(Engine e, InetSocketAddress privateListener) throws InterruptedException {
    try {
      warmup.run(privateListener);
    } catch (InterruptedException ex) {
      failed();
      throw ex;
    } catch (RuntimeException ex) {
      failed();
      throw new IllegalStateException("the warm-up failed: " + ex.getMessage(), ex);
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("closed during the warm-up, before the listeners opened");
      }
      try {
        e.bind(); // closes the private listener first
      } catch (InterruptedException | RuntimeException ex) {
        stopAll();
        throw ex;
      }
    }
  }

  /** After a failed warm-up: stops everything, the private listener included (in the engine's stop). */
  private synchronized void failed() {
    stopAll();
  }

  /** Publish to, and subscribe connections to, this server's topics. Available once started. */
  public Topics topics() {
    Topics t = topics;
    if (t == null) {
      throw new IllegalStateException("not started");
    }
    return t;
  }

  /** The WebSocket/HTTP port (useful with port 0), or -1 when that listener is off (or not yet bound). */
  public int wsPort() {
    return started().wsPort();
  }

  /** The framed-TCP port, or -1 when that listener is off (or not yet bound). */
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

  /**
   * Work run against the server before its public listeners open ({@link Builder#warmup}): a JIT
   * warm-up, say, that connects clients to {@code listener} and runs traffic through the real pipeline.
   *
   * <p>Usage: {@code Keel.builder().warmup(address -> exercise(address)).handler(h).build().start()}
   */
  @FunctionalInterface
  public interface Warmup {
    /**
     * Runs on the thread that called {@link Keel#start()}, which waits for it. Connections it opens
     * are served, counted and limited like any others; it should close them before it returns.
     *
     * @param listener the private listener's address (127.0.0.1, a free port), open until this returns
     * @throws InterruptedException when interrupted; the start then fails and everything is stopped
     *     (as it is when this throws anything)
     */
    void run(InetSocketAddress listener) throws InterruptedException;
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
    private Warmup warmup;

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
     * Runs {@code warmup} before the public listeners open, so that no client meets a cold server: once
     * the extensions have started, against a private WebSocket/HTTP listener on 127.0.0.1 (a free port)
     * with the public listener's pipeline, event loops, bounds, limits and counters, but plaintext and
     * without a PROXY header whatever the public one takes. When it returns the private listener closes,
     * then the public listeners bind and {@link Keel#start()} returns; until then their ports refuse
     * connections. Without one (the default) the listeners bind at once. {@code keel serve}'s JIT
     * warm-up is one: {@code warmup(address -> exercise(address.getPort()))}.
     */
    public Builder warmup(Warmup warmup) {
      this.warmup = Objects.requireNonNull(warmup, "warmup");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming every bad option, or a missing handler
     */
    public Keel build() {
      Objects.requireNonNull(handlerFactory, "handler must be set");
      return new Keel(config.build(), handlerFactory, extensions, warmup);
    }
  }
}
