package dev.keel.fanout;

import java.util.Locale;

/** Why history lost messages; each is a label of {@code keel_history_trimmed_total}. */
public enum TrimCause {
  /** Past {@code history-size} messages. */
  SIZE,
  /** Past {@code history-max-bytes}. */
  BYTES,
  /** Older than {@code history-ttl}. */
  TTL,
  /** Dropped by the memory budget's shed stage, before any connection is closed (the epoch changes). */
  BUDGET,
  /** Cluster mode: Redis handed on a seq past the next one, so the stream here has a hole (the epoch changes). */
  GAP,
  /** The server stopped. */
  SHUTDOWN;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
