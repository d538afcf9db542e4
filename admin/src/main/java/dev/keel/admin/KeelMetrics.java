package dev.keel.admin;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.spi.Host;
import dev.keel.spi.Meters;
import dev.keel.spi.Readings;
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
import java.util.function.ToDoubleFunction;

/**
 * Keel's meters in a Prometheus registry. Every Keel counter is a function counter or gauge over
 * the server's {@link Readings} (lock-free adders), read at scrape time: the hot path pays only its uncontended adder increment.
 * The one meter recorded per publish, the fan-out distribution, is lock-free.
 *
 * <p>Usage: {@code KeelMetrics m = new KeelMetrics(...); String text = m.scrape(); m.close();}
 */
public final class KeelMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // Registers JMX notification listeners: must be closed with the server, or it outlives it.
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  private final Host host;
  private final java.util.Set<Meters.Meter> bound = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  public KeelMetrics(KeelConfig config, Host host) {
    this.host = host;
    Readings stats = host.readings();
    PooledByteBufAllocator allocator = host.allocator();
    for (String t : stats.transports()) {
      Gauge.builder("keel_connections", stats, s -> s.connections(t)).tag("transport", t)
          .description("Established connections").register(registry);
      counter("keel_connections_opened", stats, s -> s.opened(t), "Connections established")
          .tag("transport", t).register(registry);
      counter("keel_messages_received", stats, s -> s.received(t), "Inbound messages handed to the application")
          .tag("transport", t).register(registry);
      for (String reason : stats.closeLabels()) {
        counter("keel_connections_closed", stats, s -> s.closed(t, reason), "Connections ended, by reason")
            .tag("transport", t).tag("reason", reason).register(registry);
      }
    }
    counter("keel_messages_published", stats, Readings::published, "Messages published").register(registry);
    counter("keel_messages_delivered", stats, Readings::delivered, "Messages queued to a subscriber connection")
        .register(registry);
    counter("keel_messages_dropped", stats, Readings::dropped, "Messages dropped by the slow-consumer policy")
        .tag("policy", config.get(CoreOptions.SLOW_CONSUMER_POLICY).optionName()).register(registry);
    counter("keel_rate_limited", stats, Readings::rateLimited, "Inbound messages held back by the rate limit")
        .register(registry);
    Gauge.builder("keel_outbound_queued_bytes", stats, Readings::queuedBytes).baseUnit("bytes")
        .description("Bytes queued in user space over all connections").register(registry);
    Gauge.builder("keel_memory_budget", stats, Readings::memoryBudget).baseUnit("bytes")
        .description("The memory budget (memory-budget)").register(registry);
    for (String kind : stats.memoryKinds()) {
      Gauge.builder("keel_memory_accounted", stats, s -> s.memoryAccounted(kind)).baseUnit("bytes").tag("kind", kind)
          .description("Memory accounted to the budget, by kind").register(registry);
    }
    Gauge.builder("keel_overload_stage", stats, Readings::overloadStage)
        .description("The memory budget's stage: 0 normal, 1 high (refusing, pausing), 2 shed").register(registry);
    for (String action : stats.shedActions()) {
      counter("keel_shed", stats, s -> s.shed(action), "Actions of the memory budget's stages")
          .tag("action", action).register(registry);
    }
    Gauge.builder("keel_history_messages", stats, Readings::historyMessages)
        .description("Messages kept in topic history for recovery").register(registry);
    Gauge.builder("keel_history", stats, Readings::historyBytes).baseUnit("bytes")
        .description("Topic history, as charged to the memory budget (data plus 56 B a message)").register(registry);
    for (String cause : stats.historyTrimCauses()) {
      counter("keel_history_trimmed", stats, s -> s.historyTrimmed(cause), "Messages trimmed from topic history, by cause")
          .tag("cause", cause).register(registry);
    }
    counter("keel_recoveries_attempted", stats, Readings::recoveriesAttempted, "Subscriptions with a since position")
        .register(registry);
    counter("keel_recoveries_succeeded", stats, Readings::recoveriesSucceeded,
        "Subscriptions that recovered every missed message").register(registry);
    for (String reason : stats.recoveryFailureReasons()) {
      counter("keel_recoveries_failed", stats, s -> s.recoveriesFailed(reason), "Subscriptions answered recovered:false, by reason")
          .tag("reason", reason).register(registry);
    }
    Gauge.builder("keel_topics", stats, Readings::topics).description("Topics with subscribers or history").register(registry);
    Gauge.builder("keel_subscriptions", stats, Readings::subscriptions)
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
    bindExtensionMeters();

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
    bindExtensionMeters();
    return registry.scrape();
  }

  /** Registers the meters extensions defined since the last call (they may start after this one). */
  private synchronized void bindExtensionMeters() {
    for (Meters.Meter m : host.meters().all()) {
      if (!bound.add(m)) {
        continue;
      }
      switch (m.kind()) {
        case GAUGE -> Gauge.builder(m.name(), m, Meters.Meter::value).description(m.help()).register(registry);
        case COUNTER -> counter(m.name(), m, Meters.Meter::value, m.help()).register(registry);
        case TIMER -> {
          Timer t = Timer.builder(m.name()).description(m.help())
              .serviceLevelObjectives(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5),
                  java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1))
              .register(registry);
          m.bind(n -> t.record(n, java.util.concurrent.TimeUnit.NANOSECONDS));
        }
        default -> throw new IllegalStateException("unknown meter kind " + m.kind());
      }
    }
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
}
