package dev.keel.fanout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Whole-history cuts over many topics: by the memory budget, and at shutdown. */
public final class HistoryTrim {
  private HistoryTrim() {}

  /** What a budget trim did. */
  public record Result(long freedBytes, int topics) {}

  static Result forBudget(Collection<Topic> all, long excess) {
    List<Topic> byBytes = new ArrayList<>();
    for (Topic t : all) {
      if (t.history != null) {
        byBytes.add(t);
      }
    }
    // Sizes read once each, under each monitor in turn: a heuristic order; the clears re-take them.
    java.util.Map<Topic, Long> size = new java.util.IdentityHashMap<>();
    for (Topic t : byBytes) {
      synchronized (t) {
        size.put(t, t.history.bytes());
      }
    }
    byBytes.sort((a, b) -> Long.compare(size.get(b), size.get(a)));
    long freed = 0;
    int cut = 0;
    for (Topic t : byBytes) {
      if (freed >= excess) {
        break;
      }
      synchronized (t) {
        if (!t.history.isEmpty()) {
          freed += t.history.clear(TrimCause.BUDGET);
          t.newEpoch();
          cut++;
        }
      }
    }
    return new Result(freed, cut);
  }

  static void clearAll(Collection<Topic> all) {
    for (Topic t : all) {
      synchronized (t) {
        if (t.history != null) {
          t.history.clear(TrimCause.SHUTDOWN);
        }
      }
    }
  }
}
