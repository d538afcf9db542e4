package dev.keel.session;

/**
 * What became of a data message handed to {@link Session#send} or {@link Session#offer}; the
 * embedding API reports it to applications as {@code dev.keel.api.SendResult}.
 */
public enum SendOutcome {
  /** Queued for writing (under drop-oldest, possibly after older messages were dropped). */
  QUEUED,
  /** Not queued: the queue was full and the policy is drop-newest (or the message alone exceeds the byte bound). */
  DROPPED,
  /** Not queued: the connection is closing or closed (under {@code disconnect}, this send closed it). */
  CLOSED
}
