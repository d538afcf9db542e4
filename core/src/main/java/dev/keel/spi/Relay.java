package dev.keel.spi;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Where publishes go when topics are shared with other nodes (cluster mode): the relay carries each
 * publish away and hands what comes back to {@link LocalTopics#deliver}, with the seq it assigned and
 * the epoch of the stream it belongs to. A relay that keeps the topics' history ({@link #recover})
 * lets a client that reconnects to any node recover what it missed.
 *
 * <p>Usage: {@code registry.relay(RedisRelay.start(config, host.localTopics(), host.meters()))}
 */
public interface Relay {
  /**
   * Sends a publish on its way; calls exactly one of {@code onPublished} (with the relay's own
   * receiver count) or {@code onUnavailable} (with a reason), on any thread, possibly at once.
   */
  void publish(String topic, byte[] data, IntConsumer onPublished, Consumer<String> onUnavailable);

  /** The topic appeared or disappeared here; must not block (called on event loops). */
  void topicChanged(String topic);

  /** False while the relay cannot take publishes. */
  boolean available();

  /**
   * Reads the topic's stream after {@code afterSeq}, at most {@code max} messages, for a subscription
   * that recovers; must not block (called on event loops). Calls exactly one of {@code onRead} or
   * {@code onUnavailable} (with a reason), on any thread, within a bounded time. The contract that
   * makes the replay meet the live stream with no gap: every message of the topic with a seq up to
   * {@link Stream#lastSeq()} that this node will ever {@link LocalTopics#deliver} has been delivered
   * before {@code onRead} is called, and none after it is (the relay reads on the connection its
   * messages arrive on, and calls {@code onRead} on the thread that delivers them).
   *
   * <p>The default keeps no history: it answers {@code onUnavailable}.
   *
   * @param max 0 asks only for the stream's epoch and last seq
   */
  default void recover(String topic, long afterSeq, int max, Consumer<Stream> onRead, Consumer<String> onUnavailable) {
    onUnavailable.accept("this relay keeps no history");
  }

  /**
   * A topic's stream as the relay keeps it: its epoch (which changes whenever the relay may have lost
   * messages), the last seq it assigned, whether the messages after the asked seq outlived the
   * history's TTL, and those it still holds, oldest first.
   *
   * @param messages the messages after the asked seq that are kept, in seq order (possibly with the
   *     oldest trimmed away: the receiver checks that they start right after the asked seq)
   */
  record Stream(String epoch, long lastSeq, boolean expired, List<Message> messages) {}

  /** One kept message: its seq and its data, an exact-size array the receiver may keep. */
  record Message(long seq, byte[] data) {}
}
