package dev.keel.serve;

/**
 * Decides, one interval at a time, when a load has ended: an interval whose activity (messages
 * published and delivered, connections opened and closed) is at most a tenth of the busiest interval since the
 * last decision, and then a short look that confirms the load has not just come back. Then, and
 * only then, is the moment to give memory back: under a steady load nothing is waiting to be
 * returned that the load will not take again, and the work of returning it would stall the event
 * loops that share the CPU.
 *
 * <p>Not thread-safe: one timer thread feeds it.
 */
final class QuietSpells {
  /** An interval this much quieter than the busiest since the last decision counts as quiet. */
  static final int QUIETER_BY = 10;

  private long last; // the counters start at 0 with the server: its first interval counts from there
  private long busiest;
  private long candidate = -1; // the total at the end of a quiet interval, until confirmed or not

  /**
   * Feeds the activity counter's value at the end of an interval; true when the load that made the
   * busiest interval since the last decision has dropped off, and the caller should {@link #confirm}
   * after a short look.
   */
  boolean ended(long activityTotal) {
    long delta = Math.max(0, activityTotal - last);
    last = activityTotal;
    busiest = Math.max(busiest, delta);
    if (busiest > 0 && delta * QUIETER_BY <= busiest) {
      candidate = activityTotal;
      return true;
    }
    candidate = -1;
    return false;
  }

  /**
   * After {@link #ended} said true: the counter's value {@code fraction} of an interval later. True
   * when that short look was quiet too (the load is over: trim now); false when activity came back at
   * more than a tenth of the busiest rate (a new load began: wait for its end).
   */
  boolean confirm(long activityTotal, double fraction) {
    if (candidate < 0) {
      return false;
    }
    long delta = Math.max(0, activityTotal - candidate);
    candidate = -1;
    last = activityTotal;
    if (delta * QUIETER_BY <= busiest * fraction) {
      busiest = 0;
      return true;
    }
    busiest = Math.max(busiest, (long) (delta / fraction)); // the returning load, per interval
    return false;
  }
}
