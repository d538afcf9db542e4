package dev.keel.engine;

import dev.keel.config.KeelConfig;
import dev.keel.fanout.HistoryCounters;
import dev.keel.fanout.RecoveryFailure;
import dev.keel.fanout.TopicRegistry;
import dev.keel.fanout.TrimCause;
import dev.keel.limit.MemoryBudget;
import dev.keel.session.Session;
import dev.keel.session.SessionCounters;
import dev.keel.spi.ConnectionInfo;
import dev.keel.spi.HealthCheck;
import dev.keel.spi.Host;
import dev.keel.spi.HttpRoute;
import dev.keel.spi.LocalTopics;
import dev.keel.spi.Meters;
import dev.keel.spi.Readings;
import dev.keel.spi.Relay;
import dev.keel.spi.SocketGate;
import dev.keel.limit.AddressLimiter;
import io.netty.util.concurrent.Ticker;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/** The engine as its extensions see it ({@link Host}); registrations close when the listeners bind. */
public final class EngineHost implements Host, Readings {
  private final Engine engine;
  private final Meters meters = Meters.create();
  private volatile boolean frozen;

  EngineHost(Engine engine) {
    this.engine = engine;
  }

  void freeze() {
    frozen = true;
  }

  private void requireOpen(String what) {
    if (frozen) {
      throw new IllegalStateException(what + " must be registered from Extension.start, before the listeners bind");
    }
  }

  @Override
  public KeelConfig config() {
    return engine.config();
  }

  @Override
  public Readings readings() {
    return this;
  }

  @Override
  public Meters meters() {
    return meters;
  }

  @Override
  public EventLoopGroup eventLoops() {
    return engine.workers();
  }

  @Override
  public PooledByteBufAllocator allocator() {
    return engine.allocator();
  }

  @Override
  public EventLoopGroup newEventLoopGroup(int threads, String threadPrefix) {
    return engine.transport().newGroup(threads, threadPrefix);
  }

  @Override
  public Class<? extends ServerChannel> serverChannelType() {
    return engine.transport().serverChannel();
  }

  @Override
  public String transportName() {
    return engine.transport().name();
  }

  @Override
  public CompletableFuture<List<ConnectionInfo>> connections() {
    List<CompletableFuture<List<ConnectionInfo>>> parts = new ArrayList<>();
    for (EventExecutor loop : engine.workers()) {
      CompletableFuture<List<ConnectionInfo>> part = new CompletableFuture<>();
      try {
        loop.execute(() -> {
          List<ConnectionInfo> mine = new ArrayList<>();
          for (Session s : engine.sessions().all()) {
            if (s.eventLoop() == loop) {
              mine.add(s.describe());
            }
          }
          part.complete(mine);
        });
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        part.complete(List.of());
      }
      parts.add(part);
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      List<ConnectionInfo> all = new ArrayList<>();
      parts.forEach(p -> all.addAll(p.join()));
      return all;
    });
  }

  @Override
  public boolean draining() {
    return engine.sessions().isDraining();
  }

  @Override
  public void publish(String topic, byte[] data, IntConsumer onQueued, Consumer<String> onUnavailable) {
    engine.topics().publish(topic, data, onQueued, onUnavailable);
  }

  @Override
  public void route(HttpRoute route) {
    requireOpen("an HTTP route");
    engine.http().add(route, engine.config());
  }

  @Override
  public void health(HealthCheck check) {
    requireOpen("a health check");
    engine.http().add(check);
  }

  @Override
  public void relay(Relay relay) {
    requireOpen("a relay");
    if (engine.topics().relay() != null) {
      throw new IllegalStateException("a relay is already set");
    }
    engine.topics().relay(relay);
  }

  @Override
  public LocalTopics localTopics() {
    return engine.topics();
  }

  @Override
  public SocketGate reserveSockets(String listener, int sockets, int perAddress) {
    requireOpen("a socket reserve");
    return new ReservedGate(listener, engine.sockets().reserve(sockets),
        new AddressLimiter(perAddress, 1_000_000, 1_000_000, Ticker.systemTicker()), perAddress);
  }

  // ------------------------------------------------------------------ Readings

  private SessionCounters counters() {
    return engine.counters();
  }

  @Override
  public List<String> transports() {
    return List.of("ws", "tcp");
  }

  @Override
  public long connections(String transport) {
    return counters().transport(transport).live();
  }

  @Override
  public long opened(String transport) {
    return counters().transport(transport).opened();
  }

  @Override
  public long received(String transport) {
    return counters().transport(transport).received();
  }

  @Override
  public long closed(String transport, String label) {
    return counters().transport(transport).closedWithLabel(label);
  }

  @Override
  public List<String> closeLabels() {
    return dev.keel.session.CloseCause.labels();
  }

  @Override
  public long reservedSlots() {
    return engine.sessions().reserved();
  }

  @Override
  public long published() {
    return engine.topics().counters().published();
  }

  @Override
  public long delivered() {
    return engine.topics().counters().delivered();
  }

  @Override
  public long dropped() {
    return counters().messagesDropped();
  }

  @Override
  public long rateLimited() {
    return counters().rateLimited();
  }

  @Override
  public long queuedBytes() {
    return counters().queuedBytes();
  }

  @Override
  public int topics() {
    return engine.topics().topicCount();
  }

  private static final List<String> MEMORY_KINDS =
      Arrays.stream(MemoryBudget.Kind.values()).map(MemoryBudget.Kind::label).toList();
  private static final List<String> SHED_ACTIONS =
      Arrays.stream(MemoryBudget.Action.values()).map(MemoryBudget.Action::label).toList();

  @Override
  public long memoryBudget() {
    return engine.budget().budget();
  }

  @Override
  public List<String> memoryKinds() {
    return MEMORY_KINDS;
  }

  @Override
  public long memoryAccounted(String kind) {
    return engine.budget().held(MemoryBudget.Kind.valueOf(kind.toUpperCase(Locale.ROOT)));
  }

  @Override
  public int overloadStage() {
    return engine.budget().stage().level();
  }

  @Override
  public List<String> shedActions() {
    return SHED_ACTIONS;
  }

  @Override
  public long shed(String action) {
    return engine.budget().counted(MemoryBudget.Action.valueOf(action.toUpperCase(Locale.ROOT)));
  }

  private static final List<String> TRIM_CAUSES =
      Arrays.stream(TrimCause.values()).map(TrimCause::label).toList();
  private static final List<String> RECOVERY_FAILURES =
      Arrays.stream(RecoveryFailure.values()).map(RecoveryFailure::label).toList();

  private HistoryCounters history() {
    return engine.topics().historyCounters();
  }

  @Override
  public long historyMessages() {
    return history().messages();
  }

  @Override
  public long historyBytes() {
    return history().bytes();
  }

  @Override
  public List<String> historyTrimCauses() {
    return TRIM_CAUSES;
  }

  @Override
  public long historyTrimmed(String cause) {
    return history().trimmed(TrimCause.valueOf(cause.toUpperCase(Locale.ROOT)));
  }

  @Override
  public long recoveriesAttempted() {
    return history().attempted();
  }

  @Override
  public long recoveriesSucceeded() {
    return history().succeeded();
  }

  @Override
  public List<String> recoveryFailureReasons() {
    return RECOVERY_FAILURES;
  }

  @Override
  public long recoveriesFailed(String reason) {
    return history().failed(RecoveryFailure.valueOf(reason.toUpperCase(Locale.ROOT)));
  }

  @Override
  public long subscriptions() {
    return engine.topics().subscriptionCount();
  }

  @Override
  public int subscribers(String topic) {
    return engine.topics().subscribers(topic);
  }

  @Override
  public void fanOutRecorder(IntConsumer recorder) {
    engine.topics().counters().fanOutRecorder(recorder);
  }

  /** Established connections (for the API's diagnostics). */
  public int connectionCount() {
    return engine.sessions().count();
  }

  /** Open connections counted for one address by the per-address limit (for tests). */
  public int openFrom(java.net.InetAddress address) {
    return engine.acceptGate().limiter().open(address);
  }
}
