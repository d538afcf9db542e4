package dev.keel.session;

/**
 * Whether a connection's pending output is moving, judged as Netty's {@code IdleStateHandler} judges
 * write idleness: by the message at the head of the channel's outbound buffer and how much of it has
 * been written. A peer that reads slowly but steadily makes progress; one that stopped reading does
 * not, whatever is queued behind.
 *
 * <p>A pure value: every input comes through the arguments (the caller reads the channel's outbound
 * buffer and its clock), so it is tested without a channel. Not thread-safe; one per session, on its loop.
 */
final class WriteProgress {
  /** Since when nothing has moved; -1 while not watching. */
  private long since = -1;
  private Object head;
  private long headProgress;

  WriteProgress() {}

  /** For a test: watching from {@code now}, with the buffer's head as it is then. */
  WriteProgress(long now, Object head, long headProgress) {
    start(now, head, headProgress);
  }

  /** Starts watching at {@code now} (kept for reuse: a busy connection starts and stops often). */
  void start(long now, Object head, long headProgress) {
    mark(now, head, headProgress);
  }

  /** Nothing is pending any more; forgets the head so that it pins no message. */
  void stop() {
    since = -1;
    head = null;
  }

  boolean isWatching() {
    return since >= 0;
  }

  /**
   * Records what the buffer shows at {@code now}.
   *
   * @param head the message at the head of the outbound buffer (identity matters, not equality)
   * @param headProgress how many of its bytes have been written
   * @return false when neither has changed for {@code timeoutNanos}: the peer is not reading
   */
  boolean moving(long now, Object head, long headProgress, long timeoutNanos) {
    if (head != this.head || headProgress != this.headProgress) {
      mark(now, head, headProgress);
      return true;
    }
    return now - since < timeoutNanos;
  }

  /** Since when nothing has moved. */
  long since() {
    return since;
  }

  private void mark(long now, Object head, long headProgress) {
    this.since = now;
    this.head = head;
    this.headProgress = headProgress;
  }
}
