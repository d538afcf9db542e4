package dev.keel.cluster.redis;

import dev.keel.config.KeelConfig;
import dev.keel.config.Units;
import dev.keel.spi.LocalTopics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.concurrent.EventExecutor;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link to Redis: Lettuce's client and threads, and one pair of connections (commands, and
 * pub/sub for the subscriptions) at a time. It connects, prepares a new pair (loads the scripts,
 * raises the live topics' counters, subscribes every live topic), hands the ready pair to its
 * {@link Owner}, watches it (every {@code cluster-redis-ping-interval}: a PING on a connection with
 * none outstanding, judged by {@link Liveness}), drops it as a whole when either connection closes, a
 * command on it fails or it goes silent (its PING unanswered and nothing else arriving for a whole
 * interval), and connects again after a {@link Backoff} delay. Lettuce's own reconnect is off: a
 * command in flight when the pair is lost is failed, never replayed (at most once).
 *
 * <p>Threads: Lettuce runs on resources of its own (two I/O threads, two executor threads). Every
 * field below the line, and every call to the owner's {@link Owner#up} and {@link Owner#down}, is on
 * one of those executor threads only, so none of it is locked; other threads (event loops, Lettuce's
 * I/O threads, completions of Lettuce futures) only enqueue tasks there ({@link #execute},
 * {@code handleAsync(..., executor)}). Messages are the exception: they reach
 * {@link Owner#message} straight on the I/O thread that read them.
 *
 * <p>Usage: {@code RedisLink link = new RedisLink(config, topics, owner, Backoff.reconnect(), n -> {});
 * link.start(); ... link.close();}
 */
final class RedisLink {
  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

  /** Connect (TCP, TLS handshake, HELLO/AUTH) and each command on (re)connect. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** What the link tells the relay that owns it. */
  interface Owner {
    /** On the executor: {@code pair} is connected and subscribed to exactly {@code subscribed}. */
    void up(Pair pair, List<String> subscribed);

    /** On the executor: the pair is gone (lost, or the link closing); nothing may be sent on it. */
    void down();

    /** On a Lettuce I/O thread: a message Redis delivered on a channel the pair subscribed to. */
    void message(byte[] channel, byte[] message);
  }

  /** A ready pair of connections, and the SHAs of the publish and recover scripts loaded on it. */
  record Pair(StatefulRedisConnection<byte[], byte[]> commands,
      StatefulRedisPubSubConnection<byte[], byte[]> pubsub, String publishSha, String recoverSha) {}

  private final RedisURI uri;
  private final LocalTopics topics;
  private final Owner owner;
  private final Duration pingInterval;
  private final ClientResources resources;
  /** Reads counted on each of Lettuce's channels: a connection delivering data is alive. */
  private final Arrivals arrivals = new Arrivals();
  private final RedisClient client;
  /** The one thread that owns the fields below the line. */
  private final EventExecutor executor;
  private final CompletableFuture<Boolean> firstAttempt = new CompletableFuture<>();
  /** The one periodic health-check task (not one per connection), for the link's life; close() cancels it. */
  private final ScheduledFuture<?> healthCheck;
  /** Connection closes started and not finished: close() waits for them before stopping Lettuce. */
  private final Set<CompletableFuture<Void>> closing = ConcurrentHashMap.newKeySet();
  /** Told the number of each connect attempt (1 for the first) once it is under way; tests aim at it. */
  private final IntConsumer attemptStarted;
  private volatile boolean closed;
  /** Why the last attempt failed, for the start-up warning (e.g. a refused connection, WRONGPASS). */
  private volatile String lastFailure = "no answer";
  /** Checks that found a PING unanswered on a connection still delivering data; written on the executor only. */
  private volatile long busyChecks;
  // ---- executor thread only
  private final Backoff backoff;
  private StatefulRedisConnection<byte[], byte[]> commands;
  private StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private boolean connecting;
  private int attempts;
  /** The health check of each connection of the current pair. */
  private Liveness commandsLive;
  private Liveness pubsubLive;

  RedisLink(KeelConfig config, LocalTopics topics, Owner owner, Backoff backoff, IntConsumer attemptStarted) {
    this.uri = RedisURI.create(config.get(RedisOptions.CLUSTER_REDIS));
    this.uri.setTimeout(CONNECT_TIMEOUT);
    this.topics = topics;
    this.owner = owner;
    this.backoff = backoff;
    this.attemptStarted = attemptStarted;
    this.pingInterval = config.get(RedisOptions.CLUSTER_REDIS_PING_INTERVAL);
    // Sized explicitly, at Lettuce's minimum of 2 per pool (it raises anything lower, with a log line):
    // the I/O threads carry our two connections, and one executor thread runs our state changes.
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .nettyCustomizer(arrivals).build();
    this.client = RedisClient.create(resources, this.uri);
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider().handshakeTimeout(CONNECT_TIMEOUT);
    if (config.get(RedisOptions.CLUSTER_REDIS_TRUST) != null) {
      ssl.trustManager(new File(config.get(RedisOptions.CLUSTER_REDIS_TRUST))); // else the JDK's default trust store
    }
    client.setOptions(ClientOptions.builder()
        .autoReconnect(false) // we reconnect ourselves: a fresh pair, resubscribed, nothing replayed
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // Publishes are capped below this (cluster-publish-inflight); the rest is (un)subscribes.
        .requestQueueSize(config.get(RedisOptions.CLUSTER_PUBLISH_INFLIGHT) + 1024)
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
   * Starts connecting and waits for the first attempt (up to twice the connect timeout). A node whose
   * Redis is not there yet still starts, degraded, and keeps trying.
   */
  void start() {
    executor.execute(this::connect);
    try {
      if (!firstAttempt.get(CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
        log.warn("redis at {} is not reachable ({}): starting degraded (publishes refused), retrying",
            where(), lastFailure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("redis at {}: no answer yet, retrying in the background", where());
    }
  }

  /** Runs {@code task} on the link's executor (a queue offer); rejected once the link has shut down. */
  void execute(Runnable task) {
    executor.execute(task);
  }

  /** When {@code err} is not null, drops the pair {@code connection} belongs to (if it is the current one). */
  void failed(Object connection, Throwable err, String what) {
    if (err != null) {
      executor.execute(() -> lost(connection, what + " failed: " + err.getMessage()));
    }
  }

  private String where() {
    return uri.getHost() + ":" + uri.getPort();
  }

  /**
   * The health check, on the executor: each connection of the current pair is judged by its
   * {@link Liveness} (a PING sent when none is outstanding). One whose PING is unanswered and on which
   * nothing else arrived for a whole interval went silent (Redis paused, or the path to it gone without
   * a FIN or RST): the pair is dropped as lost and the usual reconnect resubscribes when Redis answers.
   * One whose PING waits behind data it is still delivering (a publish storm) is alive.
   */
  private void ping() {
    StatefulRedisConnection<byte[], byte[]> cmd = commands;
    StatefulRedisPubSubConnection<byte[], byte[]> sub = pubsub;
    if (closed || cmd == null || sub == null) {
      return;
    }
    if (check(commandsLive, cmd, () -> cmd.async().ping(), "command")) {
      check(pubsubLive, sub, () -> sub.async().ping(), "subscription");
    }
  }

  /** One connection's check; false when it was found silent (and the pair dropped). */
  private boolean check(Liveness live, StatefulConnection<byte[], byte[]> c,
      Supplier<RedisFuture<String>> ping, String which) {
    switch (live.check()) {
      case PING -> {
        CompletableFuture<String> f = ping.get().toCompletableFuture();
        // Lettuce's command timeout is not a verdict: a PONG behind a long backlog can take longer, and
        // the next check sends another PING and judges by what arrived. Any other failure is a loss.
        f.whenComplete((v, err) -> failed(c, err instanceof RedisCommandTimeoutException ? null : err, "PING"));
        live.sent(f);
      }
      case BUSY -> {
        busyChecks++; // the executor is the only writer
        log.debug("redis at {}: PING on the {} connection not answered yet, data still arriving: alive", where(), which);
      }
      case SILENT -> {
        lost(c, "no answer to PING, and nothing else arrived, within " + Units.formatDuration(pingInterval)
            + " on the " + which + " connection");
        return false;
      }
    }
    return true;
  }

  /** Health checks since start that found a PING waiting behind data still arriving (tests). */
  long busyChecks() {
    return busyChecks;
  }

  /** Channels whose reads are counted now (tests: none once closed). */
  int countedChannels() {
    return arrivals.size();
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
    attemptStarted.accept(++attempts);
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

  /**
   * Loads the scripts, raises every live topic's counter to what this node saw (in a new epoch when
   * it had to: the stream has a hole), subscribes all.
   */
  private void prepare(StatefulRedisConnection<byte[], byte[]> cmd, StatefulRedisPubSubConnection<byte[], byte[]> sub) {
    sub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(byte[] channel, byte[] message) {
        owner.message(channel, message);
      }
    });
    List<String> live = topics.topicNames();
    CompletableFuture<String> pubSha = cmd.async().scriptLoad(RedisWire.PUBLISH_SCRIPT).toCompletableFuture();
    CompletableFuture<String> recoverSha = cmd.async().scriptLoad(RedisWire.RECOVER_SCRIPT).toCompletableFuture();
    CompletableFuture<Void> floors = cmd.async().scriptLoad(RedisWire.FLOOR_SCRIPT).toCompletableFuture()
        .thenCompose(sha -> {
          List<CompletableFuture<?>> all = new ArrayList<>();
          for (String t : live) {
            long last = topics.lastSeq(t);
            if (last > 0) {
              all.add(cmd.async().evalsha(sha, ScriptOutputType.INTEGER, RedisWire.streamKeys(t),
                  RedisWire.floorArgs(last, EpochNames.next())).toCompletableFuture());
            }
          }
          return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
        });
    // Subscribe only after the floors: no message can reach this node with a seq it already used.
    CompletableFuture<Void> ready = CompletableFuture.allOf(pubSha, recoverSha, floors).thenCompose(v -> {
      if (live.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      byte[][] channels = live.stream().map(RedisWire::channel).toArray(byte[][]::new);
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
      Arrivals.Reads cmdReads = arrivals.of(cmd);
      Arrivals.Reads subReads = arrivals.of(sub);
      if (cmdReads == Arrivals.UNKNOWN || subReads == Arrivals.UNKNOWN) {
        log.warn("redis at {}: reads not counted on a connection; its health is judged by PING alone", where());
      }
      commandsLive = new Liveness(cmdReads);
      pubsubLive = new Liveness(subReads);
      backoff.reset();
      owner.up(new Pair(cmd, sub, pubSha.join(), recoverSha.join()), live); // before start() returns: up at once
      firstAttempt.complete(true);
      log.info("redis at {}: connected, {} topics subscribed", where(), live.size());
      return null;
    }, executor);
  }

  /** Called on the executor when a connection of ours closes or a command on it fails. */
  private void lost(Object connection, String why) {
    if (connection != commands && connection != pubsub) {
      return; // an old pair, or one still being prepared (prepare sees it closed)
    }
    log.warn("redis at {} lost ({}): publishes refused until it is back", where(), why);
    owner.down();
    closeQuietly(commands);
    closeQuietly(pubsub);
    commands = null;
    pubsub = null;
    commandsLive = null;
    pubsubLive = null;
    retry(why);
  }

  private void retry(String why) {
    lastFailure = why;
    firstAttempt.complete(false);
    connecting = false; // also when closed: close() waits for the attempt in progress to settle
    if (closed) {
      return;
    }
    Duration delay = backoff.next();
    log.debug("redis at {}: {}; next attempt in {} ms", where(), why, delay.toMillis());
    executor.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Closes both connections and stops Lettuce's threads; blocks up to a few seconds. */
  void close() {
    closed = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      executor.execute(() -> closeWhenSettled(done));
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("redis at {}: connections not closed cleanly: {}", where(), e.toString());
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
    owner.down();
    closeQuietly(commands);
    closeQuietly(pubsub);
    commands = null;
    pubsub = null;
    CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).whenComplete((v, err) -> done.complete(null));
  }

  /** Starts closing {@code c}; close() waits for every close started here. */
  private void closeQuietly(StatefulConnection<?, ?> c) {
    if (c == null) {
      return;
    }
    CompletableFuture<Void> f = c.closeAsync();
    closing.add(f);
    f.whenComplete((v, err) -> closing.remove(f));
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
