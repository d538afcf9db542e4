package dev.keel.cluster.redis;

import dev.keel.spi.Extension;
import dev.keel.spi.HealthCheck;
import dev.keel.spi.Host;

/**
 * Cluster mode as a Keel extension: when {@code cluster-redis} is set, publishes go through Redis and
 * every node's subscribers receive them with one seq per topic (docs/cluster.md); {@code /healthz}
 * reports {@code degraded} while Redis is away. Without {@code cluster-redis} it does nothing.
 *
 * <p>Usage: {@code Keel.builder().config(c).handler(h).extension(new RedisCluster()).build().start()}
 */
public final class RedisCluster implements Extension {
  private RedisRelay relay;

  @Override
  public void start(Host host) {
    if (host.config().get(RedisOptions.CLUSTER_REDIS) == null) {
      return;
    }
    // Before the listeners bind: no connection can subscribe or publish before the relay is in place.
    relay = RedisRelay.start(host.config(), host.localTopics(), host.meters());
    host.relay(relay);
    host.health(new HealthCheck("redis", relay::available));
  }

  /** The relay, or null when cluster mode is off. */
  public RedisRelay relay() {
    return relay;
  }

  @Override
  public void close() {
    if (relay != null) {
      relay.close(); // after the drain: connections flushed what Redis had delivered
      relay = null;
    }
  }
}
