package dev.keel.pubsub;

import dev.keel.session.SendResult;
import dev.keel.session.Session;
import dev.keel.session.Stats;
import dev.keel.session.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Topics and their subscribers, and the fan-out. A topic exists while it has subscribers: the last
 * unsubscribe removes it, so no empty entry is left behind (and its seq starts again at 1 if it
 * comes back).
 *
 * <p>Fan-out encodes a message once into one reference-counted buffer and hands it to one task per
 * event loop; there it is framed once per transport (WebSocket, framed TCP), and each subscriber's
 * queue takes a retained duplicate of that frame (same memory), so no recipient costs a copy or an
 * encoder pass. Thread-safe: publish from any thread.
 *
 * <p>In cluster mode a {@link Relay} (Redis) sits between publish and fan-out: publishes go to it,
 * and what it hands back to {@link #deliver} is fanned out here with the seq it carries; the relay
 * is told whenever a topic appears or disappears, so that it holds exactly one channel subscription
 * per live topic.
 *
 * <p>Usage: {@code registry.publish("news", dataJson, delivered -> ...)}
 */
public final class TopicRegistry {
  /** Where publishes go when topics are shared with other nodes (see dev.keel.cluster). */
  public interface Relay {
    /**
     * Sends a publish on its way; calls exactly one of {@code onPublished} (with the relay's own
     * receiver count) or {@code onUnavailable} (with a reason), on any thread, possibly at once.
     */
    void publish(String topic, byte[] data, IntConsumer onPublished, Consumer<String> onUnavailable);

    /** The topic was created or removed here; must not block (called on event loops). */
    void topicChanged(String topic);

    /** False while the relay cannot take publishes. */
    boolean available();
  }

  private volatile Relay relay;
  private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
  private final ByteBufAllocator alloc;
  private final Stats stats;
  private final LongAdder subscriptions = new LongAdder();

  public TopicRegistry(ByteBufAllocator alloc, Stats stats) {
    this.alloc = alloc;
    this.stats = stats;
  }

  /** Routes publishes through {@code relay} from now on (set once, before connections arrive). */
  public void relay(Relay relay) {
    this.relay = relay;
  }

  /** The relay, or null when this node runs alone. */
  public Relay relay() {
    return relay;
  }

  /** Adds {@code s} to the topic's subscribers, creating the topic if needed. */
  public void subscribe(String topic, Session s) {
    boolean[] created = new boolean[1];
    topics.compute(topic, (name, t) -> {
      Topic target = t == null ? new Topic(name) : t;
      created[0] = t == null;
      synchronized (target) {
        if (target.add(s)) {
          subscriptions.increment();
        }
      }
      return target;
    });
    Relay r = relay;
    if (created[0] && r != null) {
      r.topicChanged(topic); // after the change: the relay reads the registry's current state
    }
  }

  /** Removes {@code s}; removes the topic when it was the last subscriber. */
  public void unsubscribe(String topic, Session s) {
    boolean[] removed = new boolean[1];
    topics.computeIfPresent(topic, (name, t) -> {
      synchronized (t) {
        if (t.remove(s)) {
          subscriptions.decrement();
        }
        removed[0] = t.isEmpty();
        return t.isEmpty() ? null : t;
      }
    });
    Relay r = relay;
    if (removed[0] && r != null) {
      r.topicChanged(topic);
    }
  }

  /** Whether the topic has local subscribers. */
  public boolean hasTopic(String topic) {
    return topics.containsKey(topic);
  }

  /** A snapshot of the live topics' names. */
  public List<String> topicNames() {
    return new ArrayList<>(topics.keySet());
  }

  /** The last seq delivered on the topic here (0 if none, or no such topic). */
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
    stats.messagesPublished.increment();
    r.publish(topic, data, onQueued == null ? n -> { } : onQueued,
        onUnavailable == null ? reason -> { } : onUnavailable);
  }

  /**
   * Fans out a message the relay delivered, with the seq it assigned. A seq at or below the last
   * one delivered on the topic is dropped (never a duplicate, never backwards).
   *
   * @return whether it was handed to the topic's loops
   */
  public boolean deliver(String topic, long seq, byte[] data) {
    Topic t = topics.get(topic);
    if (t == null) {
      return false;
    }
    synchronized (t) {
      if (!t.advanceTo(seq)) {
        return false;
      }
      fanOut(t, seq, data, null);
      return true;
    }
  }

  /**
   * Publishes {@code data} (compact JSON) to this node's subscribers, numbered by the local counter;
   * bypasses the relay (callers that may run in cluster mode use the four-argument form).
   *
   * @param onQueued if not null, called once (on some event loop) with the number of subscriber
   *     connections the message was queued to
   */
  public void publish(String topic, byte[] data, IntConsumer onQueued) {
    stats.messagesPublished.increment();
    Topic t = topics.get(topic);
    if (t == null) {
      if (onQueued != null) {
        onQueued.accept(0);
      }
      return;
    }
    synchronized (t) {
      fanOut(t, t.partitions().isEmpty() ? t.lastSeq() : t.nextSeq(), data, onQueued);
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
        Delivery d = new Delivery(p.snapshot(), msg.retain(), tally, stats);
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

  /** Live topics (each has at least one subscriber). */
  public int topicCount() {
    return topics.size();
  }

  /** Subscriptions over all topics. */
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

  /** Hands one message to the subscribers one event loop owns; runs on that loop. */
  private static final class Delivery implements Runnable {
    private final Session[] recipients;
    private final ByteBuf msg;
    private final Tally tally;
    private final Stats stats;

    Delivery(Session[] recipients, ByteBuf msg, Tally tally, Stats stats) {
      this.recipients = recipients;
      this.msg = msg;
      this.tally = tally;
      this.stats = stats;
    }

    @Override
    public void run() {
      int queued = 0;
      // The message framed once per transport on this loop; each recipient queues a duplicate.
      Wire firstWire = null;
      ByteBuf firstFrame = null;
      Wire otherWire = null;
      ByteBuf otherFrame = null;
      try {
        for (Session s : recipients) {
          Wire w = s.wire();
          ByteBuf frame;
          if (w == firstWire) {
            frame = firstFrame;
          } else if (firstWire == null) {
            firstWire = w;
            frame = firstFrame = w.dataFrame(msg.alloc(), msg, false);
          } else if (w == otherWire) {
            frame = otherFrame;
          } else {
            if (otherFrame != null) {
              otherFrame.release(); // a third kind of wire: keep the latest two
            }
            otherWire = w;
            frame = otherFrame = w.dataFrame(msg.alloc(), msg, false);
          }
          if (s.sendFramed(frame) == SendResult.QUEUED) {
            queued++;
          }
        }
      } finally {
        msg.release();
        if (firstFrame != null) {
          firstFrame.release();
        }
        if (otherFrame != null) {
          otherFrame.release();
        }
        stats.messagesDelivered.add(queued);
        if (tally != null) {
          tally.partitionDone(queued);
        }
      }
    }

    void abandon() {
      msg.release();
      if (tally != null) {
        tally.partitionDone(0);
      }
    }
  }

  /** Adds up the per-loop counts of one publish and reports the total when the last loop is done. */
  private static final class Tally {
    private final AtomicInteger remaining;
    private final AtomicInteger queued = new AtomicInteger();
    private final IntConsumer onQueued;

    Tally(int partitions, IntConsumer onQueued) {
      this.remaining = new AtomicInteger(partitions);
      this.onQueued = onQueued;
    }

    void partitionDone(int n) {
      queued.addAndGet(n);
      if (remaining.decrementAndGet() == 0) {
        onQueued.accept(queued.get());
      }
    }
  }
}
