package dev.keel.auth;

import java.time.Instant;

/**
 * Who a connection is, from its verified connect token: the user ({@code sub}), when the token
 * expires, and the topics it may subscribe to and publish on.
 */
public record Identity(String subject, Instant expiresAt, TopicPatterns subscribe, TopicPatterns publish) {
  public boolean maySubscribe(String topic) {
    return subscribe.allows(topic);
  }

  public boolean mayPublish(String topic) {
    return publish.allows(topic);
  }
}
