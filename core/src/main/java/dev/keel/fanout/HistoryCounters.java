package dev.keel.fanout;

import dev.keel.limit.MemoryBudget;
import java.util.concurrent.atomic.LongAdder;

/**
 * History's figures (lock-free adders read at scrape time), and the one place its memory is charged to
 * the budget ({@link MemoryBudget.Kind#HISTORY}): every add charges, every trim, clear and shutdown
 * releases, so the two can be compared in one test.
 */
public final class HistoryCounters {
  private final MemoryBudget budget;
  private final LongAdder messages = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder[] trimmed = adders(TrimCause.values().length);
  private final LongAdder attempted = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder[] failed = adders(RecoveryFailure.values().length);

  public HistoryCounters(MemoryBudget budget) {
    this.budget = budget;
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  void added(long cost) {
    messages.increment();
    bytes.add(cost);
    budget.charge(MemoryBudget.Kind.HISTORY, cost);
  }

  void removed(int count, long cost, TrimCause cause) {
    if (count == 0) {
      return;
    }
    messages.add(-count);
    bytes.add(-cost);
    budget.release(MemoryBudget.Kind.HISTORY, cost);
    trimmed[cause.ordinal()].add(count);
  }

  /**
   * Cluster mode: bytes a recovering subscription holds for a moment (the messages Redis returned, the
   * live ones buffered meanwhile); charged to the budget as history, not counted as kept messages.
   */
  void held(long cost) {
    budget.charge(MemoryBudget.Kind.HISTORY, cost);
  }

  /** Gives back what {@link #held} charged. */
  void freed(long cost) {
    if (cost != 0) {
      budget.release(MemoryBudget.Kind.HISTORY, cost);
    }
  }

  void recovered() {
    attempted.increment();
    succeeded.increment();
  }

  void notRecovered(RecoveryFailure why) {
    attempted.increment();
    failed[why.ordinal()].increment();
  }

  /** Messages kept in history over all topics (a level). */
  public long messages() {
    return messages.sum();
  }

  /** Bytes kept in history, as charged to the budget: each message's bytes plus its entry (a level). */
  public long bytes() {
    return bytes.sum();
  }

  /** Messages trimmed from history for {@code cause} since start. */
  public long trimmed(TrimCause cause) {
    return trimmed[cause.ordinal()].sum();
  }

  /** {@code sub} requests with a {@code since} position since start. */
  public long attempted() {
    return attempted.sum();
  }

  public long succeeded() {
    return succeeded.sum();
  }

  public long failed(RecoveryFailure why) {
    return failed[why.ordinal()].sum();
  }
}
