package dev.keel.cluster.redis;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.spi.LocalTopics;
import dev.keel.spi.Meters;
import dev.keel.spi.Relay;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: topics shared with other Keel nodes through Redis. A publish runs a Lua script that
 * increments the topic's counter, adds the message to the topic's stream (history on) and PUBLISHes
 * {@code "SEQ EPOCH DATA"} on the topic's channel in one step; every node subscribed to that channel
 * (the publisher's too) fans the message out locally with that seq, so all nodes agree on order and
 * numbering. A recovering subscription reads the stream ({@link #recover}) on any node. The format is {@code RedisWire}'s; the
 * connections, their health check and the reconnects are {@code RedisLink}'s; this class publishes
 * (at most {@code cluster-publish-inflight} waiting, refused at once while Redis is away), keeps the
 * subscriptions in step with the local topics, and delivers what arrives.
 *
 * <p>Threads: {@link #publish} runs on the caller's thread (an event loop or a virtual thread) and
 * only writes to Lettuce's channel; its answer comes on a Lettuce I/O thread. {@link #topicChanged}
 * enqueues one task on the link's executor, which owns the subscription state (the set of channels
 * asked for, the current pair as far as subscriptions go), as it owns all connection state. Messages
 * arrive on a Lettuce I/O thread and go to {@link LocalTopics#deliver}, which hands them to the
 * subscribers' loops.
 *
 * <p>Usage: {@code RedisRelay r = RedisRelay.start(config, host.localTopics(), host.meters()); ... r.close();}
 */
public final class RedisRelay implements Relay, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisRelay.class);

  private final LocalTopics registry;
  /** Messages Redis delivered to this node (each fanned out once, locally). */
  private final LongAdder received = new LongAdder();
  /** Publishes refused because Redis was down or too many were in flight. */
  private final LongAdder refused = new LongAdder();
  private final LongConsumer latency;
  private final int maxInFlight;
  /** history-size (0: no stream is kept) and history-ttl in ms: the stream's MAXLEN ~ and PEXPIRE. */
  private final int historySize;
  private final long historyTtlMillis;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final RedisLink link;
  /** The ready pair, null while Redis is away: read by publishing threads, written on the executor. */
  private volatile RedisLink.Pair pair;
  private volatile boolean closed;
  // ---- the link's executor thread only
  /** Topics the current pair has been asked to SUBSCRIBE to (and not to UNSUBSCRIBE from). */
  private final Set<String> subscribed = new HashSet<>();

  private RedisRelay(KeelConfig config, LocalTopics registry, Meters meters, IntConsumer attemptStarted) {
    this.registry = registry;
    meters.gauge("keel_redis_up", "Cluster mode: 1 while connected to Redis and subscribed, 0 while not",
        () -> pair != null ? 1 : 0);
    meters.counter("keel_redis_messages_received", "Cluster mode: messages Redis delivered to this node",
        received::sum);
    meters.counter("keel_redis_publishes_refused",
        "Cluster mode: publishes refused while Redis was unavailable or too many were in flight", refused::sum);
    this.latency = meters.timer("keel_redis_publish_latency",
        "Cluster mode: a publish's round trip to Redis (script run and PUBLISH)");
    this.maxInFlight = config.get(RedisOptions.CLUSTER_PUBLISH_INFLIGHT);
    this.historySize = config.get(CoreOptions.HISTORY_SIZE);
    this.historyTtlMillis = config.get(CoreOptions.HISTORY_TTL).toMillis();
    this.link = new RedisLink(config, registry, new LinkEvents(), Backoff.reconnect(), attemptStarted);
  }

  /**
   * Starts connecting and waits for the first attempt (up to twice the connect timeout). A node whose
   * Redis is not there yet still starts, degraded, and keeps trying.
   */
  public static RedisRelay start(KeelConfig config, LocalTopics registry, Meters meters) {
    return start(config, registry, meters, attempt -> { });
  }

  /** As above; {@code attemptStarted} hears of each connect attempt once it is under way (tests). */
  static RedisRelay start(KeelConfig config, LocalTopics registry, Meters meters, IntConsumer attemptStarted) {
    RedisRelay relay = new RedisRelay(config, registry, meters, attemptStarted);
    relay.link.start();
    return relay;
  }

  @Override
  public boolean available() {
    return pair != null;
  }

  /** Messages Redis delivered to this node since start. */
  public long received() {
    return received.sum();
  }

  /** Publishes refused since start (Redis unavailable, or too many in flight). */
  public long refused() {
    return refused.sum();
  }

  /** Health checks that found a PING waiting behind data still arriving, and let it wait (tests). */
  long busyChecks() {
    return link.busyChecks();
  }

  /** Lettuce channels whose reads the link counts now (tests). */
  int countedChannels() {
    return link.countedChannels();
  }

  /** Publishes waiting for Redis's answer now. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void publish(String topic, byte[] data, IntConsumer onPublished, Consumer<String> onUnavailable) {
    RedisLink.Pair p = pair;
    if (p == null) {
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
    p.commands().async().<Long>evalsha(p.publishSha(), ScriptOutputType.INTEGER, RedisWire.publishKeys(topic),
            RedisWire.publishArgs(data, historySize, historyTtlMillis, EpochNames.next()))
        .whenComplete((receivers, err) -> {
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

  /**
   * Reads the topic's stream for a recovery, on the executor: the channel's SUBSCRIBE (if not sent
   * yet) and then the recover script go on the subscription connection, one after the other. Redis
   * answers a connection in order, so every message published before the script ran reaches this
   * node before its answer, and every later one after it; Lettuce reads both on one I/O thread, which
   * delivers the messages and then runs {@code onRead}: the contract of {@link Relay#recover}.
   * Answered within {@code RedisLink.CONNECT_TIMEOUT} in every case.
   */
  @Override
  public void recover(String topic, long afterSeq, int max, Consumer<Stream> onRead, Consumer<String> onUnavailable) {
    try {
      link.execute(() -> read(topic, afterSeq, max, onRead, onUnavailable));
    } catch (RejectedExecutionException shuttingDown) {
      onUnavailable.accept("redis unavailable: the node is stopping");
    }
  }

  private void read(String topic, long afterSeq, int max, Consumer<Stream> onRead, Consumer<String> onUnavailable) {
    RedisLink.Pair p = pair;
    if (p == null || closed) {
      onUnavailable.accept("redis unavailable");
      return;
    }
    reconcile(topic);
    p.pubsub().async().<List<Object>>evalsha(p.recoverSha(), ScriptOutputType.MULTI, RedisWire.streamKeys(topic),
            RedisWire.recoverArgs(afterSeq, max, historyTtlMillis, EpochNames.next()))
        .toCompletableFuture().orTimeout(RedisLink.CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((reply, err) -> {
          if (err != null) {
            onUnavailable.accept("redis unavailable: " + err);
            return;
          }
          RedisWire.Read r;
          try {
            r = RedisWire.read(reply);
          } catch (IllegalArgumentException e) {
            log.warn("recovery of {}: {}", topic, e.getMessage());
            onUnavailable.accept("redis answered the recover script with something else");
            return;
          }
          List<Message> kept = new ArrayList<>(r.seqs().length);
          for (int i = 0; i < r.seqs().length; i++) {
            kept.add(new Message(r.seqs()[i], r.data().get(i)));
          }
          onRead.accept(new Stream(r.epoch(), r.lastSeq(), r.expired(), kept));
        });
  }

  @Override
  public void topicChanged(String topic) {
    if (closed) {
      return;
    }
    try {
      link.execute(() -> reconcile(topic)); // only a queue offer on the caller's (event loop) thread
    } catch (RejectedExecutionException shuttingDown) {
      // closing: the connections (and their subscriptions) go with it
    }
  }

  /**
   * On the executor: SUBSCRIBE or UNSUBSCRIBE so that the channel is held exactly while the topic
   * has local subscribers.
   */
  private void reconcile(String topic) {
    RedisLink.Pair p = pair;
    if (p == null) {
      return; // the next (re)connect subscribes whatever is live then
    }
    boolean want = registry.hasTopic(topic);
    boolean have = subscribed.contains(topic);
    StatefulRedisPubSubConnection<byte[], byte[]> conn = p.pubsub();
    if (want && !have) {
      subscribed.add(topic);
      conn.async().subscribe(RedisWire.channel(topic))
          .whenComplete((v, err) -> link.failed(conn, err, "subscribe " + topic));
    } else if (!want && have) {
      subscribed.remove(topic);
      conn.async().unsubscribe(RedisWire.channel(topic))
          .whenComplete((v, err) -> link.failed(conn, err, "unsubscribe " + topic));
    }
  }

  /** A message from Redis, on Lettuce's I/O thread. */
  private void received(byte[] channel, byte[] message) {
    switch (RedisWire.parse(channel, message)) {
      case RedisWire.Message m -> {
        received.increment();
        registry.deliver(m.topic(), m.epoch(), m.seq(), m.data());
      }
      case RedisWire.Rejected r -> log.warn("ignored a message on redis channel {}: {}", r.channel(), r.reason());
    }
  }

  /** Closes both connections and stops Lettuce's threads; blocks up to a few seconds. */
  @Override
  public void close() {
    closed = true;
    pair = null; // refuse publishes from now on, before the link has caught up
    link.close();
  }

  /** The link's calls, kept off the public type. */
  private final class LinkEvents implements RedisLink.Owner {
    @Override
    public void up(RedisLink.Pair ready, List<String> topics) {
      subscribed.clear();
      subscribed.addAll(topics);
      if (closed) {
        return; // the link closes this pair next
      }
      pair = ready;
      // Topics that came or went while the pair was being prepared.
      Set<String> check = new HashSet<>(registry.topicNames());
      check.addAll(subscribed);
      check.forEach(RedisRelay.this::reconcile);
    }

    @Override
    public void down() {
      pair = null;
      subscribed.clear();
    }

    @Override
    public void message(byte[] channel, byte[] message) {
      received(channel, message);
    }
  }
}
