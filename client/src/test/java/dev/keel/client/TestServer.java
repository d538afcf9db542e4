package dev.keel.client;

import dev.keel.admin.AdminOptions;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Ports;
import dev.keel.serve.PubSubServer;
import dev.keel.testing.HostProbe;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** The real {@code keel serve}, in-process, WebSocket only, for the client's tests. */
final class TestServer implements AutoCloseable {
  final PubSubServer server;
  final HostProbe probe = new HostProbe();

  private TestServer(KeelConfig config) throws InterruptedException {
    this.server = PubSubServer.start(config, probe);
  }

  /** On {@code port} (0: any free one), history on unless {@code tune} says otherwise. */
  static TestServer start(int port, UnaryOperator<KeelConfig.Builder> tune) {
    KeelConfig config = tune.apply(PubSubServer.config()
        .set(CoreOptions.WS_PORT, port)
        .set(CoreOptions.TCP_PORT, Ports.OFF)
        .set(AdminOptions.ADMIN_PORT, Ports.OFF)
        .set(CoreOptions.HISTORY_SIZE, 1000)
        .set(dev.keel.serve.ServeOptions.WARMUP, java.time.Duration.ZERO)
        .set(CoreOptions.MAX_CONNECTIONS_PER_IP, 1_000_000)
        .set(CoreOptions.CONNECT_RATE_PER_IP, 1_000_000)
        .set(CoreOptions.CONNECT_BURST_PER_IP, 1_000_000)
        .set(CoreOptions.SHUTDOWN_GRACE, Duration.ofSeconds(2))).build();
    try {
      return new TestServer(config);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static TestServer start() {
    return start(0, b -> b);
  }

  int port() {
    return server.wsPort();
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + port() + "/ws");
  }

  /** The server has begun cutting a slow consumer (its goodbye is queued), or has already ended it. */
  boolean slowConsumerCutBegun() throws Exception {
    return probe.closed(dev.keel.api.CloseReason.SLOW_CONSUMER) > 0
        || probe.host().connections().get(10, java.util.concurrent.TimeUnit.SECONDS).stream()
            .anyMatch(info -> "slow_consumer".equals(info.closing()));
  }

  void publish(String topic, String json) {
    probe.host().publish(topic, json.getBytes(StandardCharsets.UTF_8), null, null);
  }

  @Override
  public void close() {
    server.close();
  }
}
