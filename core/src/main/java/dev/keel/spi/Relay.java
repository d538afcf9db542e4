package dev.keel.spi;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Where publishes go when topics are shared with other nodes (cluster mode): the relay carries each
 * publish away and hands what comes back to {@link LocalTopics#deliver}, with the seq it assigned.
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
}
