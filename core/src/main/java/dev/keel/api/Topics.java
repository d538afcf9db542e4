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

  /**
   * Subscribes {@code connection} to {@code topic} and recovers from {@code since}: when the topic's
   * history (option {@code history-size}) still holds every message after {@code since.seq()} in the
   * same epoch, those are queued to the connection, oldest first, and the live ones follow them with
   * no gap and no duplicate, however many publishes race the subscription. {@code reply} turns the
   * outcome into the text queued ahead of the replay; it runs on the connection's event loop, so it
   * must only format (no blocking, no waiting). A connection already subscribed gets its position,
   * no replay, and reason {@code already_subscribed}. In cluster mode the topic's history is read from
   * Redis first (docs/cluster.md): the call waits for it (bounded; never on an event loop), and when made
   * on the connection's own event loop it returns at once with reason {@code pending}, the reply following
   * when Redis answers.
   *
   * @param since where the client's stream stood; an epoch of null asks for the position only
   * @param reply the reply's text from the outcome, or null for no reply
   * @return the outcome, or null when nothing was subscribed (the connection is closed or already
   *     has {@code max-subscriptions} topics); then {@code reply} is not called
   */
  Recovery subscribe(Connection connection, String topic, StreamPosition since,
      java.util.function.Function<Recovery, String> reply);

  /** Ends a subscription (nothing happens if there is none). */
  void unsubscribe(Connection connection, String topic);

  /** Current subscribers of {@code topic}. */
  int subscribers(String topic);
}
