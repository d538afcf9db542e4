package dev.keel.limit;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything clients can make the server hold, counted against one number, the memory budget. The
 * hot paths only add to lock-free adders ({@link #charge}, {@link #release}) and read the current
 * {@link Stage} (one volatile read); one evaluator task sums the adders and moves the stage
 * ({@link OverloadStages}), so no send, read or accept waits for the accounting.
 *
 * <p>What a charge means, by {@link Kind}: the bytes held, plus a measured per-entry overhead where the
 * holding costs objects too (a queued message is a duplicate buffer and a deque slot beside its bytes).
 *
 * <p>Usage: {@code budget.charge(Kind.OUTBOUND, size + MemoryBudget.ENTRY_OVERHEAD); ... budget.release(...)}
 */
public final class MemoryBudget {
  /**
   * Heap a queued message costs beside its bytes: the duplicate buffer the queue holds (a recycled
   * {@code PooledDuplicatedByteBuf}, 56 B) and its deque slot, measured with the class histogram
   * (docs/memory.md).
   */
  public static final int ENTRY_OVERHEAD = 64;

  /**
   * What an open connection costs before it holds anything: its channel, pipeline, session and
   * buffers while idle, about 2.7 KiB of heap (bench/idle_heap.py) and some native memory; charged
   * from accept to close so that a flood of idle connections meets the budget too.
   */
  public static final int CONNECTION_COST = 4096;

  /**
   * What a subscription costs, charged to {@link Kind#CONNECTIONS} while its connection lives: a
   * subscription that creates its topic holds 518 B of heap, one to a topic that exists 147 B
   * ({@code bench/subscription_heap.py}). Charged at the first figure, because a client chooses its
   * topics: 256 subscriptions to made-up topics on each of many connections is the expensive case.
   */
  public static final int SUBSCRIPTION_COST = 512;

  /** The kinds of memory charged; each is a label of {@code keel_memory_accounted_bytes}. */
  public enum Kind {
    /** Open connections, at {@link #CONNECTION_COST} each, and their subscriptions ({@link #SUBSCRIPTION_COST}). */
    CONNECTIONS,
    /** Outbound queues: queued frames and their per-entry overhead. */
    OUTBOUND,
    /** Messages read and not yet handled: behind the rate limit, or in a handler's inbound queue. */
    INBOUND,
    /** Partially received frames (a decoder's buffer) and fragments waiting to be joined. */
    PARTIAL_FRAMES,
    /** HTTP request bodies in flight. */
    HTTP_BODIES,
    /** Topic history kept for recovery. */
    HISTORY;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the stages did about it; each is a label of {@code keel_shed_total}. */
  public enum Action {
    /** A new connection refused (WebSocket upgrade answered 503, TCP connection closed at accept). */
    REFUSED,
    /** An HTTP request with a body (a publish) answered 503. */
    REJECTED,
    /** A connection's reading paused because it sent while memory was short. */
    PAUSED,
    /** A connection closed to free what it held (1008 server overloaded). */
    CLOSED,
    /** A message not queued to a subscriber that is behind, because the budget was full. */
    DROPPED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final long budget;
  /** Where the fair share begins: 2% under the budget. */
  private final long hardLimit;
  /**
   * Where refusable charges stop, fair share or not: 1% under the budget, kept for what cannot be
   * refused once it is happening (control frames, bytes already read, the channel's share of a write,
   * the message in flight to a subscriber that keeps up) and for what other event loops charge at the
   * same instant (the check and the charge are not one atomic step).
   */
  private final long ceiling;
  private final LongAdder[] actions = new LongAdder[Action.values().length];
  private final LongAdder[] held = new LongAdder[Kind.values().length];
  /** Open connections, for the fair share of {@link #admits}. */
  private final LongAdder open = new LongAdder();
  /** All kinds together, kept beside them so that {@link #admits} sums one adder. */
  private final LongAdder all = new LongAdder();
  private volatile Stage stage = Stage.NORMAL;

  /** @param budget bytes; at least 1 */
  public MemoryBudget(long budget) {
    if (budget < 1) {
      throw new IllegalArgumentException("budget must be at least 1 byte, was " + budget);
    }
    this.budget = budget;
    this.hardLimit = budget - budget / 50;
    this.ceiling = budget - budget / 100;
    for (int i = 0; i < held.length; i++) {
      held[i] = new LongAdder();
    }
    for (int i = 0; i < actions.length; i++) {
      actions[i] = new LongAdder();
    }
  }

  /** Counts one action of the stages. */
  public void count(Action a) {
    actions[a.ordinal()].increment();
  }

  /** Actions of one kind over the server's life. */
  public long counted(Action a) {
    return actions[a.ordinal()].sum();
  }

  public long budget() {
    return budget;
  }

  public void charge(Kind kind, long bytes) {
    held[kind.ordinal()].add(bytes);
    all.add(bytes);
  }

  public void release(Kind kind, long bytes) {
    held[kind.ordinal()].add(-bytes);
    all.add(-bytes);
  }

  /**
   * The hard limit, asked only on the slow path (a message for a subscriber that is behind), where a
   * sum over the adders' few cells is cheap against the message it may save. Under the hard limit
   * (98% of the budget) everything fits; from there to 99% only a holder within its fair share (the
   * budget over the open connections) may add, so the ones holding the most stop first and one that is
   * a little behind is not starved by them; past 99% nothing does: the last 1% is for what cannot be
   * refused and for what other threads charge at the same instant (the sum is not atomic with the add).
   *
   * @param holderBytes what the asking connection holds now
   */
  public boolean admits(long bytes, long holderBytes) {
    long total = all.sum() + bytes;
    if (total <= hardLimit) {
      return true;
    }
    if (total > ceiling) {
      return false;
    }
    long connections = Math.max(1, open.sum());
    return holderBytes + bytes <= budget / connections;
  }
  /** A connection was accepted: it costs {@link #CONNECTION_COST} until {@link #connectionClosed}. */
  public void connectionOpened() {
    open.increment();
    charge(Kind.CONNECTIONS, CONNECTION_COST);
  }

  /** A connection {@link #connectionOpened opened} has closed. */
  public void connectionClosed() {
    open.decrement();
    release(Kind.CONNECTIONS, CONNECTION_COST);
  }


  /** Bytes held of one kind now (a sum over the adder's cells: for the evaluator and metrics). */
  public long held(Kind kind) {
    return held[kind.ordinal()].sum();
  }

  /** Bytes held over all kinds. */
  public long total() {
    return all.sum();
  }

  /** The stage the evaluator last set; what the hot paths consult. */
  public Stage stage() {
    return stage;
  }

  /** Set by the evaluator only. */
  public void stage(Stage s) {
    stage = s;
  }
}
