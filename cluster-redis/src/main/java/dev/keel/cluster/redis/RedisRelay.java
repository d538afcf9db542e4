package dev.keel.cluster.redis;

import dev.keel.cluster.redis.RedisOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Units;
import dev.keel.spi.LocalTopics;
import dev.keel.spi.Meters;
import dev.keel.spi.Relay;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: topics shared with other Keel nodes through Redis. A publish runs a Lua script that
 * increments the topic's counter and PUBLISHes {@code "SEQ DATA"} on the topic's channel in one
 * step; every node subscribed to that channel (the publisher's too) fans the message out locally
 * with that seq, so all nodes agree on order and numbering. The format (scripts, names, the parser
 * of incoming messages) is {@code RedisWire}'s.
 *
 * <p>Threads: Lettuce runs on its own resources (two I/O threads, two executor threads). All
 * connection state (connect, subscribe, reconnect) changes on that single executor thread, so none
 * of it is locked; event loops only enqueue tasks there. Messages from Redis arrive on the I/O
 * thread and go to {@link LocalTopics#deliver}, which hands them to the subscribers' loops.
 *
 * <p>Health: every {@code cluster-redis-ping-interval} one task on that executor PINGs both
 * connections (RESP3, so the subscribed one answers PING too). A PING still unanswered when the next
 * is due counts as a lost link, as does a closed connection or a failed command.
 *
 * <p>Redis lost: both connections are dropped at once (Lettuce's own reconnect is off, so a command
 * in flight is failed, never replayed: at most once), publishes are refused until a new pair of
 * connections is subscribed to every live topic again, retried after a {@code Backoff} delay
 * (exponential with full jitter, 100 ms to 5 s).
 *
 * <p>Usage: {@code RedisRelay r = RedisRelay.start(config, host.localTopics(), host.meters()); ... r.close();}
 */
public final class RedisRelay implements Relay, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisRelay.class);

  /** Connect (TCP, TLS handshake, HELLO/AUTH) and each command on (re)connect. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final RedisURI uri;
  private final LocalTopics registry;
  /** Messages Redis delivered to this node (each fanned out once, locally). */
  private final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
  /** Publishes refused because Redis was down or too many were in flight. */
  private final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();
  private final java.util.function.LongConsumer latency;
  private final int maxInFlight;
  private final Duration pingInterval;
  private final ClientResources resources;
  private final RedisClient client;
  /** The one thread that owns the fields below the line. */
  private final EventExecutor executor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Boolean> firstAttempt = new CompletableFuture<>();
  /** The one periodic health-check task (not one per connection), for the relay's life; close() cancels it. */
  private final ScheduledFuture<?> healthCheck;
  /** Connection closes started and not finished: close() waits for them before stopping Lettuce. */
  private final Set<CompletableFuture<Void>> closing = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Read by publishing threads; written on the executor. */
  private volatile StatefulRedisConnection<byte[], byte[]> commands;
  private volatile String publishSha;
  private volatile boolean up;
  private volatile boolean closed;
  /** Why the last attempt failed, for the start-up warning (e.g. a refused connection, WRONGPASS). */
  private volatile String lastFailure = "no answer";
  // ---- executor thread only
  private StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  /** Topics this pubsub connection has been asked to SUBSCRIBE to (and not to UNSUBSCRIBE from). */
  private final Set<String> subscribed = new HashSet<>();
  /** Delays between attempts, jittered so that nodes that lost Redis together do not retry together. */
  private final Backoff backoff = Backoff.reconnect();
  private boolean connecting;
  /** The last PING sent on each connection of the current pair; null before the first. */
  private CompletableFuture<String> commandsPing;
  private CompletableFuture<String> pubsubPing;

  private RedisRelay(KeelConfig config, LocalTopics registry, Meters meters) {
    this.uri = RedisURI.create(config.get(RedisOptions.CLUSTER_REDIS));
    this.uri.setTimeout(CONNECT_TIMEOUT);
    this.registry = registry;
    meters.gauge("keel_redis_up", "Cluster mode: 1 while connected to Redis and subscribed, 0 while not",
        () -> up ? 1 : 0);
    meters.counter("keel_redis_messages_received", "Cluster mode: messages Redis delivered to this node",
        received::sum);
    meters.counter("keel_redis_publishes_refused",
        "Cluster mode: publishes refused while Redis was unavailable or too many were in flight", refused::sum);
    this.latency = meters.timer("keel_redis_publish_latency",
        "Cluster mode: a publish's round trip to Redis (script run and PUBLISH)");
    this.maxInFlight = config.get(RedisOptions.CLUSTER_PUBLISH_INFLIGHT);
    this.pingInterval = config.get(RedisOptions.CLUSTER_REDIS_PING_INTERVAL);
    // Sized explicitly, at Lettuce's minimum of 2 per pool (it raises anything lower, with a log line):
    // the I/O threads carry our two connections, and one executor thread runs our state changes.
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    this.client = RedisClient.create(resources, this.uri);
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider().handshakeTimeout(CONNECT_TIMEOUT);
    if (config.get(RedisOptions.CLUSTER_REDIS_TRUST) != null) {
      ssl.trustManager(new java.io.File(config.get(RedisOptions.CLUSTER_REDIS_TRUST))); // else the JDK's default trust store
    }
    client.setOptions(ClientOptions.builder()
        .autoReconnect(false) // we reconnect ourselves: a fresh pair, resubscribed, nothing replayed
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(maxInFlight + 1024) // publishes are capped below this; the rest is (un)subscribes
        // RESP3 (Redis 6+): a connection in subscribed mode then takes PING like any other command.
        .protocolVersion(ProtocolVersion.RESP3)
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
        .sslOptions(ssl.build()) // used only for rediss://
        .build());
    this.executor = resources.eventExecutorGroup().next();
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (!closed) {
          executor.execute(() -> lost(connection, "disconnected"));
        }
      }
    });
    long every = pingInterval.toMillis(); // last: every field it reads is set
    this.healthCheck = executor.scheduleWithFixedDelay(this::ping, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts connecting and waits for the first attempt (up to the connect timeout). A node whose Redis
   * is not there yet still starts, degraded, and keeps trying.
   */
  public static RedisRelay start(KeelConfig config, LocalTopics registry, Meters meters) {
    RedisRelay relay = new RedisRelay(config, registry, meters);
    relay.executor.execute(relay::connect);
    try {
      boolean ok = relay.firstAttempt.get(CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
      if (!ok) {
        log.warn("redis at {} is not reachable ({}): starting degraded (publishes refused), retrying",
            relay.where(), relay.lastFailure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("redis at {}: no answer yet, retrying in the background", relay.where());
    }
    return relay;
  }

  private String where() {
    return uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public boolean available() {
    return up;
  }

  /** Messages Redis delivered to this node since start. */
  public long received() {
    return received.sum();
  }

  /** Publishes refused since start (Redis unavailable, or too many in flight). */
  public long refused() {
    return refused.sum();
  }

  /** Publishes waiting for Redis's answer now. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void publish(String topic, byte[] data, IntConsumer onPublished, Consumer<String> onUnavailable) {
    StatefulRedisConnection<byte[], byte[]> c = commands;
    String sha = publishSha;
    if (!up || c == null || sha == null) {
      refused.increment();
      onUnavailable.accept("redis unavailable: the message was not published");
      return;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      refused.increment();
      onUnavailable.accept("too many publishes waiting for redis (cluster-publish-inflight = " + maxInFlight + ")");
      return;
    }
    long start = System.nanoTime();
    c.async().<Long>evalsha(sha, ScriptOutputType.INTEGER, RedisWire.publishKeys(topic), data).whenComplete((receivers, err) -> {
      inFlight.decrementAndGet();
      if (err != null) {
        refused.increment();
        onUnavailable.accept("redis unavailable: " + err.getMessage());
      } else {
        latency.accept(System.nanoTime() - start);
        onPublished.accept(receivers.intValue());
      }
    });
  }

  @Override
  public void topicChanged(String topic) {
    if (closed) {
      return;
    }
    try {
      executor.execute(() -> reconcile(topic)); // only a queue offer on the caller's (event loop) thread
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      // closing: the connections (and their subscriptions) go with it
    }
  }

  /** SUBSCRIBE or UNSUBSCRIBE so that the channel is held exactly while the topic has local subscribers. */
  private void reconcile(String topic) {
    if (!up || pubsub == null) {
      return; // the next (re)connect subscribes whatever is live then
    }
    boolean want = registry.hasTopic(topic);
    boolean have = subscribed.contains(topic);
    StatefulRedisPubSubConnection<byte[], byte[]> conn = pubsub;
    if (want && !have) {
      subscribed.add(topic);
      conn.async().subscribe(RedisWire.channel(topic))
          .whenComplete((v, err) -> failed(conn, err, "subscribe " + topic));
    } else if (!want && have) {
      subscribed.remove(topic);
      conn.async().unsubscribe(RedisWire.channel(topic))
          .whenComplete((v, err) -> failed(conn, err, "unsubscribe " + topic));
    }
  }

  private void failed(Object connection, Throwable err, String what) {
    if (err != null) {
      executor.execute(() -> lost(connection, what + " failed: " + err.getMessage()));
    }
  }

  /**
   * The health check, on the executor: a PING on each connection of the current pair. One still
   * unanswered from the last round means Redis went silent (paused, or the path to it gone without
   * a FIN or RST): the pair is dropped as lost and the usual reconnect resubscribes when Redis answers.
   */
  private void ping() {
    StatefulRedisConnection<byte[], byte[]> cmd = commands;
    StatefulRedisPubSubConnection<byte[], byte[]> sub = pubsub;
    if (closed || !up || cmd == null || sub == null) {
      return;
    }
    String missed = "no answer to PING within " + Units.formatDuration(pingInterval);
    if (commandsPing != null && !commandsPing.isDone()) {
      lost(cmd, missed + " on the command connection");
      return;
    }
    if (pubsubPing != null && !pubsubPing.isDone()) {
      lost(sub, missed + " on the subscription connection");
      return;
    }
    commandsPing = cmd.async().ping().toCompletableFuture();
    commandsPing.whenComplete((v, err) -> failed(cmd, err, "PING"));
    pubsubPing = sub.async().ping().toCompletableFuture();
    pubsubPing.whenComplete((v, err) -> failed(sub, err, "PING"));
  }

  // ---- connecting, on the executor

  private void connect() {
    if (closed || connecting || pubsub != null) {
      return;
    }
    connecting = true;
    CompletableFuture<StatefulRedisConnection<byte[], byte[]>> cmd =
        client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
    CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> sub =
        client.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
    CompletableFuture.allOf(cmd, sub).handleAsync((v, err) -> {
      if (err != null || closed) {
        closeQuietly(succeeded(cmd));
        closeQuietly(succeeded(sub));
        retry(err == null ? "closing" : rootMessage(err));
      } else {
        prepare(cmd.join(), sub.join());
      }
      return null;
    }, executor);
  }

  /** Loads the scripts, raises every live topic's counter to what this node saw, subscribes all. */
  private void prepare(StatefulRedisConnection<byte[], byte[]> cmd, StatefulRedisPubSubConnection<byte[], byte[]> sub) {
    sub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(byte[] channel, byte[] message) {
        received(channel, message);
      }
    });
    List<String> topics = registry.topicNames();
    CompletableFuture<String> pubSha = cmd.async().scriptLoad(RedisWire.PUBLISH_SCRIPT).toCompletableFuture();
    CompletableFuture<Void> floors = cmd.async().scriptLoad(RedisWire.FLOOR_SCRIPT).toCompletableFuture().thenCompose(sha -> {
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (String t : topics) {
        long last = registry.lastSeq(t);
        if (last > 0) {
          all.add(cmd.async().evalsha(sha, ScriptOutputType.INTEGER, RedisWire.floorKeys(t),
              RedisWire.floorArg(last)).toCompletableFuture());
        }
      }
      return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    });
    // Subscribe only after the floors: no message can reach this node with a seq it already used.
    CompletableFuture<Void> ready = CompletableFuture.allOf(pubSha, floors).thenCompose(v -> {
      if (topics.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      byte[][] channels = topics.stream().map(RedisWire::channel).toArray(byte[][]::new);
      return sub.async().subscribe(channels).toCompletableFuture();
    });
    ready.orTimeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).handleAsync((v, err) -> {
      connecting = false;
      if (err != null || closed || !cmd.isOpen() || !sub.isOpen()) {
        closeQuietly(cmd);
        closeQuietly(sub);
        retry(err == null ? "connection closed while subscribing" : rootMessage(err));
        return null;
      }
      commands = cmd;
      pubsub = sub;
      commandsPing = null;
      pubsubPing = null;
      publishSha = pubSha.join();
      subscribed.clear();
      subscribed.addAll(topics);
      up = true;
      backoff.reset();
      firstAttempt.complete(true);
      log.info("redis at {}: connected, {} topics subscribed", where(), topics.size());
      // Topics that came or went while we were connecting.
      Set<String> check = new HashSet<>(registry.topicNames());
      check.addAll(subscribed);
      check.forEach(this::reconcile);
      return null;
    }, executor);
  }

  /** Called by the executor when a connection of ours closes or a command on it fails. */
  private void lost(Object connection, String why) {
    if (connection != commands && connection != pubsub) {
      return; // an old pair, or one still being prepared (prepare sees it closed)
    }
    log.warn("redis at {} lost ({}): publishes refused until it is back", where(), why);
    up = false;
    closeQuietly(commands);
    closeQuietly(pubsub);
    commands = null;
    pubsub = null;
    commandsPing = null;
    pubsubPing = null;
    publishSha = null;
    subscribed.clear();
    retry(why);
  }

  private void retry(String why) {
    lastFailure = why;
    firstAttempt.complete(false);
    connecting = false; // also when closed: close() waits for the attempt in progress to settle
    if (closed) {
      return;
    }
    long delay = backoff.next().toMillis();
    log.debug("redis at {}: {}; next attempt in {} ms", where(), why, delay);
    executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  /** A message from Redis, on Lettuce's I/O thread. */
  private void received(byte[] channel, byte[] message) {
    switch (RedisWire.parse(channel, message)) {
      case RedisWire.Message m -> {
        received.increment();
        registry.deliver(m.topic(), m.seq(), m.data());
      }
      case RedisWire.Rejected r -> log.warn("ignored a message on redis channel {}: {}", r.channel(), r.reason());
    }
  }

  /** Closes both connections and stops Lettuce's threads; blocks up to a few seconds. */
  @Override
  public void close() {
    closed = true;
    up = false;
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      executor.execute(() -> closeWhenSettled(done));
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("redis relay: connections not closed cleanly: {}", e.toString());
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    // A short quiet period: channel deregistrations queued by the closes above run before the loops stop.
    resources.shutdown(100, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * On the executor: once no connect attempt is in progress (its channels closed by its own handler,
   * which sees {@code closed}), closes the current pair and completes {@code done} when both have
   * closed. Stopping Lettuce's loops while an attempt has registered its channel but not connected
   * (the address is resolved on another loop, whose callback is then rejected) leaves a channel that
   * nobody closes, and the read buffer its CommandHandler took in channelRegistered is never released:
   * the LEAK RedisRelayCloseIT reproduces without this wait (a quiet period alone does not prevent it).
   */
  private void closeWhenSettled(CompletableFuture<Void> done) {
    healthCheck.cancel(false);
    if (connecting) {
      executor.schedule(() -> closeWhenSettled(done), 10, TimeUnit.MILLISECONDS);
      return;
    }
    closeQuietly(commands);
    closeQuietly(pubsub);
    commands = null;
    pubsub = null;
    CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).whenComplete((v, err) -> done.complete(null));
  }

  /** Starts closing {@code c}; close() waits for every close started here. */
  private CompletableFuture<Void> closeQuietly(io.lettuce.core.api.StatefulConnection<?, ?> c) {
    if (c == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = c.closeAsync();
    closing.add(f);
    f.whenComplete((v, err) -> closing.remove(f));
    return f;
  }

  private static <T> T succeeded(CompletableFuture<T> f) {
    return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
