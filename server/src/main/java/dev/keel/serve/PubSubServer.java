package dev.keel.serve;

import dev.keel.admin.AdminExtension;
import dev.keel.admin.AdminOptions;
import dev.keel.api.Keel;
import dev.keel.cluster.redis.RedisCluster;
import dev.keel.cluster.redis.RedisOptions;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.OptionSet;
import dev.keel.pubsub.PubSubService;
import dev.keel.pubsub.PublishRoute;
import dev.keel.spi.Extension;
import java.util.List;

/**
 * What {@code keel serve} runs: the pub/sub protocol ({@link PubSubService}) as the handler of an
 * embedded {@link Keel}, with HTTP publish, cluster mode and the admin listener as extensions.
 *
 * <p>Usage:
 * <pre>{@code
 * try (PubSubServer server = PubSubServer.start(PubSubServer.config().set(CoreOptions.WS_PORT, 0).build())) {
 *   int port = server.wsPort();
 * }
 * }</pre>
 */
public final class PubSubServer implements AutoCloseable {
  /** Every option {@code keel serve} takes, core's first. */
  public static final List<OptionSet> OPTION_SETS =
      List.of(CoreOptions.SET, ServeOptions.SET, AdminOptions.SET, RedisOptions.SET);

  private final Keel keel;
  private final AdminExtension admin;
  private final RedisCluster cluster;
  private final Warmup warmup;

  private PubSubServer(Keel keel, AdminExtension admin, RedisCluster cluster, Warmup warmup) {
    this.keel = keel;
    this.admin = admin;
    this.cluster = cluster;
    this.warmup = warmup;
  }

  /** A configuration builder over every option of {@code keel serve}. */
  public static KeelConfig.Builder config() {
    return KeelConfig.builder(ServeOptions.SET, AdminOptions.SET, RedisOptions.SET);
  }

  /**
   * Makes the server and starts nothing: {@link #start()} does, and {@link #close()} may be called from
   * another thread before or while it runs (which is why {@code keel serve} makes it first: its shutdown
   * hook must exist while the warm-up runs). {@code more} are started after Keel's own.
   */
  public static PubSubServer create(KeelConfig config, Extension... more) {
    AdminExtension admin = new AdminExtension();
    RedisCluster cluster = new RedisCluster();
    CompilerNice nice = new CompilerNice(config.get(ServeOptions.COMPILER_NICE));
    Warmup warmup = new Warmup(config, nice);
    Keel.Builder b = Keel.builder()
        .config(config)
        .handler(topics -> new PubSubService(topics, config.get(CoreOptions.MAX_SUBSCRIPTIONS),
            config.get(RedisOptions.CLUSTER_REDIS) != null))
        .extension(cluster) // first: the relay must be in place before anything publishes
        .extension(new PublishRoute())
        .extension(new NativeHeapTrim(config.get(ServeOptions.NATIVE_HEAP_TRIM)))
        .extension(warmup) // its readiness check
        .extension(admin);  // closed first, but after the drain: the operator can watch it
    for (Extension x : more) {
      b.extension(x);
    }
    warmup.addTo(b);
    return new PubSubServer(b.build(), admin, cluster, warmup);
  }

  /**
   * Binds the listeners and starts the extensions; {@code more} are started after Keel's own (tests
   * add probes this way). Returns once the public listeners are open, after the warm-up.
   */
  public static PubSubServer start(KeelConfig config, Extension... more) throws InterruptedException {
    return create(config, more).start();
  }

  /**
   * Starts the server made by {@link #create}: the extensions, the warm-up against a private loopback
   * listener, then the public listeners; returns once they are open. {@link #close()} from another thread
   * meanwhile (a shutdown signal during the warm-up) stops it, and this then throws.
   *
   * @throws IllegalStateException if a listener cannot bind, an extension fails, or it was closed meanwhile
   */
  public PubSubServer start() throws InterruptedException {
    warmup.lowerCompilerIfNotWarming(); // else at the warm-up's end, before the ports open
    keel.start();
    return this;
  }

  public Keel keel() {
    return keel;
  }

  public int wsPort() {
    return keel.wsPort();
  }

  public int tcpPort() {
    return keel.tcpPort();
  }

  /** The warm-up's private listener's port (closed by now), or -1 when it did not run; for tests. */
  int warmupPort() {
    return warmup.port();
  }

  /** The admin listener's port, or -1 when it is off. */
  public int adminPort() {
    return admin.port();
  }

  public AdminExtension admin() {
    return admin;
  }

  public RedisCluster cluster() {
    return cluster;
  }

  /** Drains and stops (see {@link Keel#close()}). */
  @Override
  public void close() {
    keel.close();
  }
}
