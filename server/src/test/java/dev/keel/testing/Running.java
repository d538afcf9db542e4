package dev.keel.testing;

import dev.keel.api.CloseReason;
import dev.keel.config.KeelConfig;
import dev.keel.serve.PubSubServer;
import dev.keel.spi.ConnectionInfo;
import dev.keel.spi.Readings;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code keel serve} server running in the test's JVM, and its figures as an extension sees them
 * ({@link HostProbe}): what the integration tests assert on, through the same view the admin module
 * has.
 */
public final class Running implements AutoCloseable {
  private final PubSubServer server;
  private final HostProbe probe;

  Running(PubSubServer server, HostProbe probe) {
    this.server = server;
    this.probe = probe;
  }

  public PubSubServer server() {
    return server;
  }

  public HostProbe probe() {
    return probe;
  }

  public KeelConfig config() {
    return server.keel().config();
  }

  public int wsPort() {
    return server.wsPort();
  }

  public int tcpPort() {
    return server.tcpPort();
  }

  public int adminPort() {
    return server.adminPort();
  }

  public Readings readings() {
    return probe.readings();
  }

  /** Connections ended (or refused) for {@code reason}'s label, both transports. */
  public long closed(CloseReason reason) {
    return probe.closed(reason);
  }

  /** The same on one transport ({@code ws} or {@code tcp}). */
  public long closed(String transport, CloseReason reason) {
    return probe.closed(transport, reason);
  }

  public long queuedBytes() {
    return readings().queuedBytes();
  }

  public long dropped() {
    return readings().dropped();
  }

  public long rateLimited() {
    return readings().rateLimited();
  }

  public long delivered() {
    return readings().delivered();
  }

  public long opened() {
    return readings().opened("ws") + readings().opened("tcp");
  }

  /** Slots of max-connections in use (handshakes under way included). */
  public long reserved() {
    return readings().reservedSlots();
  }

  /** Established connections. */
  public long connections() {
    return probe.connections();
  }

  public boolean draining() {
    return probe.host().draining();
  }

  public int topicCount() {
    return readings().topics();
  }

  public long subscriptionCount() {
    return readings().subscriptions();
  }

  public int subscribers(String topic) {
    return readings().subscribers(topic);
  }

  /** Every connection as the ledger sees it. */
  public List<ConnectionInfo> connectionList() throws Exception {
    return probe.host().connections().get(10, TimeUnit.SECONDS);
  }

  public PooledByteBufAllocator allocator() {
    return probe.allocator();
  }

  public EventLoopGroup eventLoops() {
    return probe.eventLoops();
  }

  public String transportName() {
    return probe.host().transportName();
  }

  /** Cluster mode's relay, or null when the server runs alone. */
  public dev.keel.cluster.redis.RedisRelay relay() {
    return server.cluster().relay();
  }

  /** Publishes as HTTP publish does (through the relay in cluster mode). */
  public void publish(String topic, byte[] data, java.util.function.IntConsumer onQueued,
      java.util.function.Consumer<String> onUnavailable) {
    probe.host().publish(topic, data, onQueued, onUnavailable);
  }

  /** This node's topics. */
  public List<String> topicNames() {
    return probe.host().localTopics().topicNames();
  }

  /** Open connections from {@code address} as the per-address limit counts them. */
  public int openFrom(java.net.InetAddress address) {
    return ((dev.keel.engine.EngineHost) probe.host()).openFrom(address);
  }

  /** Drains and stops (as SIGTERM does). */
  public void shutdown() {
    server.close();
  }

  @Override
  public void close() {
    server.close();
  }
}
