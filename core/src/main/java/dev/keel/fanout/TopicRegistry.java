package dev.keel.fanout;

import dev.keel.session.Framing;
import dev.keel.session.SendOutcome;
import dev.keel.session.Subscriber;
import dev.keel.spi.LocalTopics;
import dev.keel.spi.Relay;
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

  public TopicRegistry(ByteBufAllocator alloc, FanOutCounters counters) {
    this.alloc = alloc;
    this.stats = counters;
  }

  public FanOutCounters counters() {
    return stats;
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
  public void subscribe(String topic, Subscriber s) {
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
  public void unsubscribe(String topic, Subscriber s) {
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
    stats.published.increment();
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
    /** The topic, as the key a conflating queue keeps one message per. */
    private final Topic topic;
    private final Subscriber[] recipients;
    private final ByteBuf msg;
    private final Tally tally;
    private final FanOutCounters stats;

    Delivery(Topic topic, Subscriber[] recipients, ByteBuf msg, Tally tally, FanOutCounters stats) {
      this.topic = topic;
      this.recipients = recipients;
      this.msg = msg;
      this.tally = tally;
      this.stats = stats;
    }

    @Override
    public void run() {
      int queued = 0;
      // The message framed once per transport on this loop; each recipient queues a duplicate.
      Framing firstWire = null;
      ByteBuf firstFrame = null;
      Framing otherWire = null;
      ByteBuf otherFrame = null;
      try {
        for (Subscriber s : recipients) {
          Framing w = s.framing();
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
          if (s.offer(frame, topic) == SendOutcome.QUEUED) {
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
        stats.delivered.add(queued);
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
