package dev.keel.spi;

import dev.keel.config.KeelConfig;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * What a running Keel server offers its {@link Extension}s: read-only figures, a few registration
 * points, and publishing. Thread-safe. The registration methods ({@link #route}, {@link #health},
 * {@link #relay}) may only be called from {@link Extension#start}.
 *
 * <p>Netty types appear here (the loops, the allocator) because extensions are Keel's own modules,
 * built on Netty like core; an application's handler never sees them (docs/architecture.md).
 */
public interface Host {
  KeelConfig config();

  /** Counters and levels of the connection layer and the fan-out, read at call time. */
  Readings readings();

  /** Meters that extensions add (a relay's latency, say), for whoever exports metrics. */
  Meters meters();

  /** The event loops that own the connections. */
  EventLoopGroup eventLoops();

  /** The pooled allocator every connection's buffers come from. */
  PooledByteBufAllocator allocator();

  /** A new event-loop group on the server's transport (epoll, io_uring or NIO); the caller shuts it down. */
  EventLoopGroup newEventLoopGroup(int threads, String threadPrefix);

  /** The server-socket channel class of that transport. */
  Class<? extends ServerChannel> serverChannelType();

  /** "epoll", "io_uring" or "nio": the transport as it loaded. */
  String transportName();

  /**
   * A consistent snapshot of every connection: each event loop describes its own (a task on that
   * loop, so nothing is read across threads).
   */
  CompletableFuture<List<ConnectionInfo>> connections();

  /** True once shutdown has begun (new connections are refused, {@code /healthz} answers 503). */
  boolean draining();

  /**
   * Publishes compact JSON {@code data} to a topic, through the relay in cluster mode.
   *
   * @param onQueued called once with the local subscriber count, or in cluster mode the number of
   *     nodes the relay handed the message to; on an event loop or the relay's thread
   * @param onUnavailable called instead (cluster mode only) with why nothing was published
   */
  void publish(String topic, byte[] data, IntConsumer onQueued, Consumer<String> onUnavailable);

  /** Serves {@code route} on the HTTP + WebSocket listener. From {@link Extension#start} only. */
  void route(HttpRoute route);

  /** Adds a check to {@code /healthz}: while it is down the node reports degraded. From start only. */
  void health(HealthCheck check);

  /**
   * Routes publishes through {@code relay} (cluster mode) instead of straight to local subscribers.
   * At most one relay; from {@link Extension#start} only.
   */
  void relay(Relay relay);

  /** This node's topics, for a relay to deliver into and to keep its subscriptions in step with. */
  LocalTopics localTopics();

  /**
   * Sets {@code sockets} of the socket budget ({@code max-sockets}) aside for an extension's own
   * listener (the admin port), so that it answers when the public ports are full; at most
   * {@code perAddress} of them from one client address. From {@link Extension#start} only.
   *
   * @throws IllegalArgumentException when the reserve would leave the public listeners nothing
   */
  SocketGate reserveSockets(String listener, int sockets, int perAddress);
}
