package dev.keel.admin;

import dev.keel.config.KeelConfig;
import dev.keel.pubsub.TopicRegistry;
import dev.keel.session.CloseReason;
import dev.keel.session.Stats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Keel's meters in a Prometheus registry. Every Keel counter is a function counter or gauge over
 * {@link Stats}' adders, read at scrape time: the hot path pays only its uncontended adder increment.
 * The one meter recorded per publish, the fan-out distribution, is lock-free.
 *
 * <p>Usage: {@code KeelMetrics m = new KeelMetrics(...); String text = m.scrape(); m.close();}
 */
public final class KeelMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // Registers JMX notification listeners: must be closed with the server, or it outlives it.
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public KeelMetrics(KeelConfig config, Stats stats, TopicRegistry topics, PooledByteBufAllocator allocator) {
    for (Stats.TransportStats t : List.of(stats.ws, stats.tcp)) {
      Gauge.builder("keel_connections", t.live, a -> a.sum()).tag("transport", t.name())
          .description("Established connections").register(registry);
      counter("keel_connections_opened", t, s -> s.opened.sum(), "Connections established")
          .tag("transport", t.name()).register(registry);
      counter("keel_messages_received", t, s -> s.received.sum(), "Inbound messages handed to the application")
          .tag("transport", t.name()).register(registry);
      for (String reason : closeReasonLabels()) {
        counter("keel_connections_closed", t, s -> closedWithLabel(s, reason), "Connections ended, by reason")
            .tag("transport", t.name()).tag("reason", reason).register(registry);
      }
    }
    counter("keel_messages_published", stats, s -> s.messagesPublished.sum(), "Messages published")
        .register(registry);
    counter("keel_messages_delivered", stats, s -> s.messagesDelivered.sum(),
        "Messages queued to a subscriber connection").register(registry);
    counter("keel_messages_dropped", stats, s -> s.messagesDropped.sum(),
        "Messages dropped by the slow-consumer policy").tag("policy", config.slowConsumerPolicy().optionName())
        .register(registry);
    counter("keel_rate_limited", stats, s -> s.rateLimited.sum(), "Inbound messages held back by the rate limit")
        .register(registry);
    Gauge.builder("keel_outbound_queued_bytes", stats, s -> s.queuedBytes.sum()).baseUnit("bytes")
        .description("Bytes queued in user space over all connections").register(registry);
    Gauge.builder("keel_topics", topics, TopicRegistry::topicCount).description("Topics with subscribers")
        .register(registry);
    Gauge.builder("keel_subscriptions", topics, TopicRegistry::subscriptionCount)
        .description("Subscriptions over all topics").register(registry);
    Gauge.builder("keel_netty_direct_memory_used_bytes", allocator, a -> a.metric().usedDirectMemory())
        .description("Direct memory held by Keel's pooled allocator").register(registry);
    Gauge.builder("keel_netty_heap_memory_used_bytes", allocator, a -> a.metric().usedHeapMemory())
        .description("Heap memory held by Keel's pooled allocator").register(registry);
    DistributionSummary fanOut = DistributionSummary.builder("keel_publish_fanout")
        .description("Subscribers per published message")
        .serviceLevelObjectives(1, 10, 100, 1_000, 10_000, 100_000)
        .register(registry);
    stats.fanOutRecorder(fanOut::record);
    if (config.clusterRedis() != null) {
      Gauge.builder("keel_redis_up", stats, s -> s.redisUp)
          .description("Cluster mode: 1 while connected to Redis and subscribed, 0 while not").register(registry);
      counter("keel_redis_messages_received", stats, s -> s.redisReceived.sum(),
          "Cluster mode: messages Redis delivered to this node").register(registry);
      counter("keel_redis_publishes_refused", stats, s -> s.redisRefused.sum(),
          "Cluster mode: publishes refused while Redis was unavailable or too many were in flight").register(registry);
      Timer latency = Timer.builder("keel_redis_publish_latency")
          .description("Cluster mode: a publish's round trip to Redis (script run and PUBLISH)")
          .serviceLevelObjectives(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5),
              java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1))
          .register(registry);
      stats.redisLatencyRecorder(n -> latency.record(n, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new NettyAllocatorMetrics(allocator).bindTo(registry);
  }

  /** The registry's meters in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }

  private static <T> FunctionCounter.Builder<T> counter(String name, T obj, ToDoubleFunction<T> f, String help) {
    return FunctionCounter.builder(name, obj, f).description(help);
  }

  /** The reasons of the metrics contract; a protocol violation is counted as {@code error}. */
  static List<String> closeReasonLabels() {
    return List.of("client", "idle_timeout", "handshake_timeout", "slow_consumer", "write_timeout", "too_large",
        "rate_limit", "server_full", "ip_limit", "connect_rate", "token_expired", "unauthorized", "shutdown", "error");
  }

  private static double closedWithLabel(Stats.TransportStats t, String label) {
    long n = 0;
    for (CloseReason r : CloseReason.values()) {
      if (r.label().equals(label)) {
        n += t.closedCount(r);
      }
    }
    return n;
  }
}
