package dev.keel.limit;

import java.util.Locale;

/** How loaded the memory budget is, and so what the server does about it (docs/memory.md). */
public enum Stage {
  /** Under the high mark: everything runs. */
  NORMAL,
  /**
   * Above the high mark: new connections are refused, HTTP routes answer 503, and reading from
   * connections that publish is paused, so TCP pushes back on producers.
   */
  HIGH,
  /** Above the shed mark: as HIGH, and the connections holding the most are closed, largest first. */
  SHED;

  /** The value of {@code keel_overload_stage}: 0, 1, 2. */
  public int level() {
    return ordinal();
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
