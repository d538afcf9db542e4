package dev.keel.serve;

/**
 * Decides, one interval at a time, when a load has ended: an interval whose activity (messages
 * published and delivered, connections opened) is at most a tenth of the busiest interval since the
 * last decision. Then, and only then, is the moment to give memory back: under a steady load nothing
 * is waiting to be returned that the load will not take again, and the work of returning it would
 * stall the event loops that share the CPU.
 *
 * <p>Not thread-safe: one timer thread feeds it.
 */
final class QuietSpells {
  /** An interval this much quieter than the busiest since the last decision counts as quiet. */
  static final int QUIETER_BY = 10;

  private long last; // the counters start at 0 with the server: its first interval counts from there
  private long busiest;

  /**
   * Feeds the activity counter's value at the end of an interval; true when the load that made the
   * busiest interval since the last true has dropped off.
   */
  boolean ended(long activityTotal) {
    long delta = Math.max(0, activityTotal - last);
    last = activityTotal;
    busiest = Math.max(busiest, delta);
    if (busiest > 0 && delta * QUIETER_BY <= busiest) {
      busiest = 0;
      return true;
    }
    return false;
  }
}
