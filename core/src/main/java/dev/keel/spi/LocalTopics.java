package dev.keel.spi;

import java.util.List;

/** This node's topics as a {@link Relay} sees them. Thread-safe. */
public interface LocalTopics {
  /** Whether the topic has local subscribers. */
  boolean hasTopic(String topic);

  /** A snapshot of the live topics' names. */
  List<String> topicNames();

  /** The last seq delivered on the topic here (0 if none, or no such topic). */
  long lastSeq(String topic);

  /**
   * Fans out a message the relay delivered, with the seq it assigned and the epoch of the stream it
   * belongs to (null when the relay keeps none); a seq at or below the last one delivered on the topic
   * is dropped (never a duplicate, never backwards).
   *
   * @return whether it was handed to the topic's subscribers
   */
  boolean deliver(String topic, String epoch, long seq, byte[] data);

  /** {@link #deliver(String, String, long, byte[])} without an epoch. */
  default boolean deliver(String topic, long seq, byte[] data) {
    return deliver(topic, null, seq, data);
  }
}
