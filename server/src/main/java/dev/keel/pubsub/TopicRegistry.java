package dev.keel.pubsub;

import dev.keel.session.SendResult;
import dev.keel.session.Session;
import dev.keel.session.Stats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Topics and their subscribers, and the fan-out. A topic exists while it has subscribers: the last
 * unsubscribe removes it, so no empty entry is left behind (and its seq starts again at 1 if it
 * comes back).
 *
 * <p>Fan-out encodes a message once into one reference-counted buffer and hands it to one task per
 * event loop; each subscriber's queue takes a retained duplicate (same memory), so no recipient
 * costs a copy. Thread-safe: publish from any thread.
 *
 * <p>Usage: {@code registry.publish("news", dataJson, delivered -> ...)}
 */
public final class TopicRegistry {
  private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
  private final ByteBufAllocator alloc;
  private final Stats stats;
  private final LongAdder subscriptions = new LongAdder();

  public TopicRegistry(ByteBufAllocator alloc, Stats stats) {
    this.alloc = alloc;
    this.stats = stats;
  }

  /** Adds {@code s} to the topic's subscribers, creating the topic if needed. */
  public void subscribe(String topic, Session s) {
    topics.compute(topic, (name, t) -> {
      Topic target = t == null ? new Topic(name) : t;
      synchronized (target) {
        if (target.add(s)) {
          subscriptions.increment();
        }
      }
      return target;
    });
  }

  /** Removes {@code s}; removes the topic when it was the last subscriber. */
  public void unsubscribe(String topic, Session s) {
    topics.computeIfPresent(topic, (name, t) -> {
      synchronized (t) {
        if (t.remove(s)) {
          subscriptions.decrement();
        }
        return t.isEmpty() ? null : t;
      }
    });
  }

  /**
   * Publishes {@code data} (compact JSON) to the topic's subscribers.
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
      List<Topic.Partition> partitions = t.partitions();
      if (partitions.isEmpty()) {
        if (onQueued != null) {
          onQueued.accept(0);
        }
        return;
      }
      stats.recordFanOut(t.subscribers());
      Tally tally = onQueued == null ? null : new Tally(partitions.size(), onQueued);
      ByteBuf msg = t.encode(alloc, t.nextSeq(), data);
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
      try {
        for (Session s : recipients) {
          if (s.sendData(msg) == SendResult.QUEUED) {
            queued++;
          }
        }
      } finally {
        msg.release();
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
