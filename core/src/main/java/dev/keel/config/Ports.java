package dev.keel.config;

/** Port values: 0 binds any free port on every listener; {@link #OFF} disables the listener. */
public final class Ports {
  /** The listener is not started ({@code --tcp-port off}). */
  public static final int OFF = -1;
  /** Bind any free port (tests, and several servers on one machine). */
  public static final int ANY = 0;

  private Ports() {}
}
