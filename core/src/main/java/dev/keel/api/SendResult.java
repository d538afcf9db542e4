package dev.keel.api;

/**
 * What became of a message handed to {@link Connection#send} or {@link Connection#reply}.
 *
 * <p>Usage: {@code if (conn.send(text) == SendResult.DROPPED) { metrics.dropped(); }}
 */
public enum SendResult {
  /** Queued for writing (under drop-oldest, possibly after older messages were dropped). */
  QUEUED,
  /** Not queued: the queue was full and the policy is drop-newest (or the message alone exceeds the byte bound). */
  DROPPED,
  /** Not queued: the connection is closing or closed (under {@code disconnect}, this send closed it). */
  CLOSED
}
