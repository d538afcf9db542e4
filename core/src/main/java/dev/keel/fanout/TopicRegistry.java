package dev.keel.fanout;

import dev.keel.limit.MemoryBudget;
import dev.keel.session.Subscriber;
import dev.keel.spi.LocalTopics;
import dev.keel.spi.Relay;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Topics and their subscribers, and the fan-out. Without history a topic exists while it has
 * subscribers: the last unsubscribe removes it, so no empty entry is left behind (and its seq starts
 * again at 1, in a new epoch, if it comes back). With history ({@link HistorySettings}) a topic also
 * lives while it keeps messages, so that a client that dropped can recover what it missed
 * ({@link #subscribe(String, Subscriber, Position)}); the sweep ({@link #sweep}) ends it once they
 * expire.
 *
 * <p>Fan-out encodes a message once into one reference-counted buffer and hands it to one task per
 * event loop; there it is framed once per transport (WebSocket, framed TCP), and each subscriber's
 * queue takes a retained duplicate of that frame (same memory), so no recipient costs a copy or an
 * encoder pass. Thread-safe: publish from any thread.
 *
 * <p>The registry sees a connection only as a {@link Subscriber}: its loop, its framing and its
 * bounded queue.
 *
 * <p>In cluster mode a {@link Relay} (Redis) sits between publish and fan-out: publishes go to it,
 * and what it hands back to {@link #deliver} is fanned out here with the seq it carries; the relay
 * is told whenever a topic appears or disappears, so that it holds exactly one channel subscription
 * per live topic.
 *
 * <p>Usage: {@code registry.publish("news", dataJson, delivered -> ...)}
 */
public final class TopicRegistry implements LocalTopics {
  private volatile Relay relay;
  private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
  private final ByteBufAllocator alloc;
  private final FanOutCounters stats;
  private final LongAdder subscriptions = new LongAdder();
  private final HistorySettings history;
  private final HistoryCounters historyCounters;
  private final Ticker ticker;
  private final Recoverer recoverer;
  private final RelayRecovery relayRecovery;

  /** A registry without history. */
  public TopicRegistry(ByteBufAllocator alloc, FanOutCounters counters) {
    this(alloc, counters, HistorySettings.OFF, new MemoryBudget(Long.MAX_VALUE), Ticker.systemTicker());
  }

  /**
   * @param budget charged with every byte history keeps ({@code Kind.HISTORY})
   * @param ticker the time history's TTL is measured on
   */
  public TopicRegistry(ByteBufAllocator alloc, FanOutCounters counters, HistorySettings history,
      MemoryBudget budget, Ticker ticker) {
    this.alloc = alloc;
    this.stats = counters;
    this.history = history;
    this.historyCounters = new HistoryCounters(budget);
    this.ticker = ticker;
    this.recoverer = new Recoverer(alloc, counters, historyCounters, ticker);
    this.relayRecovery = new RelayRecovery(history, historyCounters, recoverer);
  }

  public FanOutCounters counters() {
    return stats;
  }

  public HistoryCounters historyCounters() {
    return historyCounters;
  }

  public HistorySettings historySettings() {
    return history;
  }

  /** Routes publishes through {@code relay} from now on (set once, before connections arrive). */
  public void relay(Relay relay) {
    this.relay = relay;
  }

  /** The relay, or null when this node runs alone. */
  public Relay relay() {
    return relay;
  }

  /** Cluster mode keeps history in the relay (see {@link RelayRecovery}), and its epoch. */
  private Topic newTopic(String name) {
    if (relay != null) {
      return new Topic(name, null, null);
    }
    return new Topic(name, history.enabled() ? new History(history, historyCounters) : null, Epochs.next());
  }

  /**
   * The String this registry holds as {@code topic}'s name, or {@code topic} itself when there is no
   * such topic yet (it becomes the name). A subscriber keeps this one rather than its request's copy:
   * 10,000 subscribers of one topic share one String instead of holding 10,000 (about 50 bytes each).
   */
  public String canonicalName(String topic) {
    Topic t = topics.get(topic);
    return t == null ? topic : t.name;
  }

  /** Adds {@code s} to the topic's subscribers, creating the topic if needed. */
  public void subscribe(String topic, Subscriber s) {
    subscribe(topic, s, null);
  }

  /**
   * Adds {@code s} to the topic's subscribers and, when {@code since} names an epoch, recovers: if the
   * topic's stream is still that epoch and keeps every message after {@code since.seq()}, those are
   * queued to {@code s} now, oldest first, and every later message reaches it live. Must run on
   * {@code s}'s event loop: the position is read and {@code s} added under the topic's monitor, the
   * one ordering point of its publishes, and live messages reach {@code s} as tasks on its loop,
   * which all run after this one; so the replay and the live stream meet with no gap and no duplicate.
   *
   * @param since null: a plain subscription (returns null)
   */
  public Recovery subscribe(String topic, Subscriber s, Position since) {
    if (since != null && !s.eventLoop().inEventLoop()) {
      throw new IllegalStateException("a recovering subscription must run on the subscriber's event loop");
    }
    boolean[] created = new boolean[1];
    Recovery[] result = new Recovery[1];
    List<List<History.Entry>> replay = new ArrayList<>(1);
    Topic[] target = new Topic[1];
    topics.compute(topic, (name, t) -> {
      Topic tp = t == null ? newTopic(name) : t;
      created[0] = t == null;
      synchronized (tp) {
        if (tp.add(s)) {
          subscriptions.increment();
        }
        if (since != null) {
          result[0] = recoverer.position(tp, since, s);
          if (result[0].recovered()) {
            replay.add(tp.history.after(since.seq()));
          }
        }
      }
      target[0] = tp;
      return tp;
    });
    Relay r = relay;
    if (created[0] && r != null) {
      r.topicChanged(topic); // after the change: the relay reads the registry's current state
    }
    if (!replay.isEmpty()) {
      recoverer.replay(target[0], s, replay.get(0));
    }
    return result[0];
  }

  /**
   * {@link #subscribe(String, Subscriber, Position)}, also in cluster mode, where the relay is read off the loop
   * ({@link RelayRecovery}): {@code done} runs on s's loop with the outcome (at once without a relay; null when
   * cancelled meanwhile), then the replay is queued.
   */
  public void subscribe(String topic, Subscriber s, Position since, Consumer<Recovery> done) {
    Relay r = relay;
    if (r == null) {
      done.accept(subscribe(topic, s, since));
      return;
    }
    relayRecovery.subscribe(r, topics, this::newTopic, topic, s, since, subscriptions::increment, done);
  }

  /** The topic's current epoch and last seq, without subscribing (null when there is no such topic). */
  public Recovery position(String topic) {
    Topic t = topics.get(topic);
    if (t == null) {
      return null;
    }
    synchronized (t) {
      return Recovery.positionOnly(t.epoch(), t.lastSeq());
    }
  }

  /** Removes {@code s}; removes the topic when it was the last subscriber and it keeps no history. */
  public void unsubscribe(String topic, Subscriber s) {
    boolean[] removed = new boolean[1];
    topics.computeIfPresent(topic, (name, t) -> {
      synchronized (t) {
        if (t.remove(s)) {
          subscriptions.decrement();
        }
        RelayRecovery.cancel(t, s);
        removed[0] = t.removable();
        t.removed = removed[0];
        return removed[0] ? null : t;
      }
    });
    Relay r = relay;
    if (removed[0] && r != null) {
      r.topicChanged(topic);
    }
  }

  @Override
  public boolean hasTopic(String topic) {
    return topics.containsKey(topic);
  }

  @Override
  public List<String> topicNames() {
    return new ArrayList<>(topics.keySet());
  }

  @Override
  public long lastSeq(String topic) {
    Topic t = topics.get(topic);
    if (t == null) {
      return 0;
    }
    synchronized (t) {
      return t.lastSeq();
    }
  }

  /**
   * Publishes through the relay in cluster mode, else straight to the local subscribers (then
   * {@code onUnavailable} is never called).
   *
   * @param onQueued called once with the local subscriber count alone, or the relay's receiver
   *     count (nodes) in cluster mode
   */
  public void publish(String topic, byte[] data, IntConsumer onQueued, Consumer<String> onUnavailable) {
    Relay r = relay;
    if (r == null) {
      publish(topic, data, onQueued);
      return;
    }
    stats.published.increment();
    r.publish(topic, data, onQueued == null ? n -> { } : onQueued,
        onUnavailable == null ? reason -> { } : onUnavailable);
  }

  @Override
  public boolean deliver(String topic, String epoch, long seq, byte[] data) {
    Topic t = topics.get(topic);
    if (t == null) {
      return false;
    }
    synchronized (t) {
      long before = t.lastSeq();
      if (t.removed || !t.advanceTo(seq)) {
        return false;
      }
      RelayRecovery.delivered(t, epoch, seq, data);
      if (t.history != null) {
        if (seq != before + 1 && !t.history.isEmpty()) {
          t.history.clear(TrimCause.GAP); // missed here: recovering across the hole would skip messages
          t.newEpoch();
        }
        t.history.add(seq, data, ticker.nanoTime());
      }
      fanOut(t, seq, data, null);
      return true;
    }
  }

  /**
   * Publishes {@code data} (compact JSON) to this node's subscribers, numbered by the local counter;
   * bypasses the relay (callers that may run in cluster mode use the four-argument form). With
   * history on, the message is kept even when the topic has no subscriber now, so {@code data} must
   * not change after the call.
   *
   * @param onQueued if not null, called once (on some event loop) with the number of subscriber
   *     connections the message was queued to
   */
  public void publish(String topic, byte[] data, IntConsumer onQueued) {
    stats.published.increment();
    while (true) {
      Topic t = topics.get(topic);
      if (t == null) {
        if (!history.enabled()) {
          if (onQueued != null) {
            onQueued.accept(0);
          }
          return;
        }
        t = topics.computeIfAbsent(topic, this::newTopic);
      }
      synchronized (t) {
        if (t.removed) {
          continue; // swept or unsubscribed away just now: publish into the entry that replaces it
        }
        if (t.history == null) {
          fanOut(t, t.partitions().isEmpty() ? t.lastSeq() : t.nextSeq(), data, onQueued);
        } else {
          long seq = t.nextSeq();
          long now = ticker.nanoTime();
          t.history.trimExpired(now);
          t.history.add(seq, data, now);
          fanOut(t, seq, data, onQueued);
        }
        return;
      }
    }
  }

  /** Encodes once and hands the message to each loop's subscribers; the caller holds t's monitor. */
  private void fanOut(Topic t, long seq, byte[] data, IntConsumer onQueued) {
    List<Topic.Partition> partitions = t.partitions();
    if (partitions.isEmpty()) {
      if (onQueued != null) {
        onQueued.accept(0);
      }
      return;
    }
    stats.recordFanOut(t.subscribers());
    Tally tally = onQueued == null ? null : new Tally(partitions.size(), onQueued);
    ByteBuf msg = t.encode(alloc, seq, data);
    try {
      for (Topic.Partition p : partitions) {
        Delivery d = new Delivery(t, p.snapshot(), msg.retain(), tally, stats);
        try {
          p.loop.execute(d);
        } catch (RejectedExecutionException shuttingDown) {
          d.abandon();
        }
      }
    } finally {
      msg.release();
    }
  }

  /**
   * Drops expired history, and the topics left with neither history nor subscribers. One task per
   * server runs it every {@link HistorySettings#sweepIntervalNanos()}; cheap when nothing expired.
   */
  public void sweep() {
    if (!history.enabled() || relay != null) { // cluster mode: Redis keeps the history, topics end with subscribers
      return;
    }
    long now = ticker.nanoTime();
    for (Topic t : topics.values()) {
      boolean removable;
      synchronized (t) {
        t.history.trimExpired(now);
        removable = t.removable();
      }
      if (removable) {
        removeIfRemovable(t);
      }
    }
  }

  private void removeIfRemovable(Topic t) {
    boolean[] removed = new boolean[1];
    topics.computeIfPresent(t.name, (name, current) -> {
      if (current != t) {
        return current;
      }
      synchronized (current) {
        removed[0] = current.removable();
        current.removed = removed[0];
        return removed[0] ? null : current;
      }
    });
    Relay r = relay;
    if (removed[0] && r != null) {
      r.topicChanged(t.name);
    }
  }

  /**
   * The memory budget's first answer to the shed stage: drops whole histories, largest first, until
   * {@code excess} bytes are freed or none is left, giving each a new epoch (its clients' positions
   * stop recovering, and they are told so). Runs on the budget's evaluator thread.
   */
  public HistoryTrim.Result trimForBudget(long excess) {
    return HistoryTrim.forBudget(topics.values(), excess);
  }

  /** Releases every history's memory from the budget (the server stops). */
  public void clearHistory() {
    HistoryTrim.clearAll(topics.values());
  }

  /** Live topics (each has at least one subscriber, or history). */
  public int topicCount() {
    return topics.size();
  }

  /** Subscriptions over all topics (in cluster mode, from the switch of a recovering one). */
  public long subscriptionCount() {
    return subscriptions.sum();
  }

  /** Subscribers of one topic (0 if it does not exist). */
  public int subscribers(String topic) {
    Topic t = topics.get(topic);
    if (t == null) {
      return 0;
    }
    synchronized (t) {
      return t.subscribers();
    }
  }
}
