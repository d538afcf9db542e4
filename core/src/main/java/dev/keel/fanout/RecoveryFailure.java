package dev.keel.fanout;

import java.util.Locale;

/**
 * Why a {@code sub} with {@code since} was answered {@code recovered:false}; each is the reply's
 * {@code reason} and a label of {@code keel_recoveries_failed_total}.
 */
public enum RecoveryFailure {
  /**
   * The topic's stream is not the one the client saw: the server restarted, the topic went away and came back,
   * the budget dropped its history, or (cluster mode) Redis lost the stream.
   */
  EPOCH_CHANGED,
  /** The client's seq is older than the oldest message kept (trimmed by size or bytes). */
  TOO_FAR_BEHIND,
  /** The messages after the client's seq are older than {@code history-ttl} and were dropped. */
  EXPIRED,
  /** History is off ({@code history-size 0}). */
  NO_HISTORY,
  /** The client's seq is past the stream's last one, or negative: not a position of this stream. */
  UNKNOWN_POSITION,
  /** Cluster mode: Redis, which keeps the history, could not be read (down, silent, or no answer in time). */
  UNAVAILABLE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
