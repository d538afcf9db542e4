package dev.keel.api;

import java.util.concurrent.CompletableFuture;

/**
 * The server's topic registry: publish to topic subscribers from anywhere, and subscribe
 * connections from a handler. A publish is encoded once and delivered on the event loops, each
 * subscriber's queue sharing one buffer; subscribers receive
 * {@code {"op":"msg","topic":T,"seq":N,"data":D}}. A connection's subscriptions end with it.
 *
 * <p>Usage: {@code keel.topics().publish("news", "{\"text\":\"hi\"}")}
 */
public interface Topics {
  /**
   * Publishes {@code jsonData} (any JSON value) to the topic's subscribers.
   *
   * @return completes with the number of subscriber connections the message was queued to, once
   *     every event loop with subscribers has handled it (never on an event loop thread when it
   *     already has callbacks; callbacks added later run where they are added). In cluster mode
   *     it completes with the number of nodes Redis handed the message to, or exceptionally with
   *     {@link UnavailableException} when Redis is unreachable (docs/cluster.md)
   * @throws IllegalArgumentException for an invalid topic name or invalid JSON
   */
  CompletableFuture<Integer> publish(String topic, String jsonData);

  /**
   * Subscribes {@code connection} to {@code topic}. Returns false, and subscribes nothing, when the
   * connection is closed or already has {@code max-subscriptions} topics. Idempotent.
   */
  boolean subscribe(Connection connection, String topic);

  /** Ends a subscription (nothing happens if there is none). */
  void unsubscribe(Connection connection, String topic);

  /** Current subscribers of {@code topic}. */
  int subscribers(String topic);
}
