package dev.keel.testing;

import dev.keel.admin.AdminOptions;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.serve.PubSubServer;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Starts real {@code keel serve} servers on free ports for integration tests. */
public final class Servers {
  private Servers() {}

  /** A server on free WebSocket, TCP and admin ports, with {@code tune} applied to the defaults. */
  public static Running start(UnaryOperator<KeelConfig.Builder> tune) {
    return start(tune, new dev.keel.spi.Extension[0]);
  }

  /** The same, with {@code more} extensions started after the server's own (routes for a test, say). */
  public static Running start(UnaryOperator<KeelConfig.Builder> tune, dev.keel.spi.Extension... more) {
    KeelConfig config = tune.apply(PubSubServer.config()
        .set(CoreOptions.WS_PORT, 0)
        .set(CoreOptions.TCP_PORT, 0)
        .set(AdminOptions.ADMIN_PORT, 0)
        // Tests open thousands of connections from loopback addresses: per-address limits would
        // refuse them. AddressLimitIT sets its own.
        .set(CoreOptions.MAX_CONNECTIONS_PER_IP, 1_000_000)
        .set(CoreOptions.CONNECT_RATE_PER_IP, 1_000_000)
        .set(CoreOptions.CONNECT_BURST_PER_IP, 1_000_000)
        .set(CoreOptions.SHUTDOWN_GRACE, Duration.ofSeconds(5))
        .set(dev.keel.serve.ServeOptions.WARMUP, Duration.ZERO) // WarmupIT tests it; the others start fast
        .set(dev.keel.serve.ServeOptions.COMPILER_NICE, 0)) // the test JVM's JIT is not a server's: CompilerNiceIT
        .build();
    return start(config, more);
  }

  /** A server with exactly {@code config}. */
  public static Running start(KeelConfig config, dev.keel.spi.Extension... more) {
    HostProbe probe = new HostProbe();
    dev.keel.spi.Extension[] all = java.util.Arrays.copyOf(more, more.length + 1);
    all[more.length] = probe;
    try {
      return new Running(PubSubServer.start(config, all), probe);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static Running start() {
    return start(b -> b);
  }
}
