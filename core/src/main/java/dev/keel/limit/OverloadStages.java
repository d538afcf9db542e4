package dev.keel.limit;

/**
 * The stage machine of the memory budget, a pure function of what it is told: accounted bytes against
 * the budget, heap pressure after GC, and the time. Hysteresis keeps it from flapping: the high stage
 * is entered at the high mark and left only below the resume mark, after it has held for at least the
 * minimum dwell; the shed stage is left as soon as accounted memory is back under the high mark (the
 * connections it closed have gone).
 *
 * <p>Not thread-safe: the evaluator task owns it. Time is given, never read.
 *
 * <p>Usage: {@code Stage s = stages.next(ticker.nanoTime(), budget.total(), heap.high(), heap.critical());}
 */
public final class OverloadStages {
  private final long budget;
  private final long high;
  private final long shed;
  private final long resume;
  private final long minDwellNanos;
  private Stage stage = Stage.NORMAL;
  private long since;

  /**
   * @param highPercent percent of the budget where the high stage begins
   * @param shedPercent percent where shedding begins (above {@code highPercent})
   * @param resumePercent percent below which the high stage ends (below {@code highPercent})
   * @param minDwellNanos how long the high stage holds at least, once entered
   */
  public OverloadStages(long budget, int highPercent, int shedPercent, int resumePercent, long minDwellNanos) {
    if (!(resumePercent < highPercent && highPercent < shedPercent && shedPercent <= 100)) {
      throw new IllegalArgumentException("need resume < high < shed <= 100, was " + resumePercent + ", "
          + highPercent + ", " + shedPercent);
    }
    this.budget = budget;
    this.high = budget * highPercent / 100;
    this.shed = budget * shedPercent / 100;
    this.resume = budget * resumePercent / 100;
    this.minDwellNanos = minDwellNanos;
  }

  /**
   * The stage for what is held now.
   *
   * @param heapHigh heap after the last GC is above its high threshold: at least {@link Stage#HIGH}
   * @param heapCritical heap after the last GC is above its critical threshold: {@link Stage#SHED}
   */
  public Stage next(long now, long accounted, boolean heapHigh, boolean heapCritical) {
    Stage want;
    if (accounted >= shed || heapCritical) {
      want = Stage.SHED;
    } else if (accounted >= high || heapHigh) {
      want = Stage.HIGH;
    } else if (stage != Stage.NORMAL && accounted >= resume) {
      want = Stage.HIGH; // hysteresis: between the resume and high marks, stay high
    } else {
      want = Stage.NORMAL;
    }
    if (want == Stage.NORMAL && stage != Stage.NORMAL && now - since < minDwellNanos) {
      want = Stage.HIGH; // not yet: a stage that just began holds for the dwell
    }
    if (want != stage) {
      stage = want;
      since = now;
    }
    return stage;
  }

  public Stage stage() {
    return stage;
  }

  /** Bytes to free for accounted memory to be back under the high mark. */
  public long excessOverHigh(long accounted) {
    return Math.max(0, accounted - high);
  }

  public long budget() {
    return budget;
  }
}
