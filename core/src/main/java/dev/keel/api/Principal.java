package dev.keel.api;

import java.time.Instant;
import java.util.function.Predicate;

/**
 * Who a connection is, from its verified connect token: the user ({@code sub}), when the token
 * expires, and the topics it may subscribe to and publish on ({@code keel} claim, docs/security.md).
 *
 * <p>Usage: {@code if (!conn.principal().maySubscribe(topic)) { conn.reply(forbidden); }}
 */
public final class Principal {
  private final String subject;
  private final Instant expiresAt;
  private final Predicate<String> subscribe;
  private final Predicate<String> publish;

  Principal(String subject, Instant expiresAt, Predicate<String> subscribe, Predicate<String> publish) {
    this.subject = subject;
    this.expiresAt = expiresAt;
    this.subscribe = subscribe;
    this.publish = publish;
  }

  /** The token's {@code sub}. */
  public String subject() {
    return subject;
  }

  /** The token's {@code exp}: the connection is closed then unless the client refreshes its token. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether the token's {@code keel.sub} patterns allow subscribing to {@code topic}. */
  public boolean maySubscribe(String topic) {
    return subscribe.test(topic);
  }

  /** Whether the token's {@code keel.pub} patterns allow publishing to {@code topic}. */
  public boolean mayPublish(String topic) {
    return publish.test(topic);
  }

  @Override
  public String toString() {
    return "principal " + subject + " (expires " + expiresAt + ")";
  }
}
