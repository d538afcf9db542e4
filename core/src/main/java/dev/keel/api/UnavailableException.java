package dev.keel.api;

/**
 * A publish was refused because the cluster relay (Redis) is unreachable or has too many publishes
 * waiting: nothing was delivered anywhere. Only in cluster mode ({@code cluster-redis}).
 *
 * <p>Usage: {@code topics.publish(t, json).exceptionally(e -> ...)} sees it as the cause.
 */
public final class UnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }
}
