package dev.keel.session;

import io.netty.channel.EventLoop;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live connections of one server, and the {@code max-connections} bound. A slot is reserved
 * before a connection is established (so the bound can refuse it) and released exactly once when it ends.
 *
 * <p>Thread-safe: event loops add and remove; the shutdown thread waits for it to empty.
 */
public final class Sessions {
  private final int maxConnections;
  /** A set, not a map by id: nothing looks a session up by id, and a boxed key cost every connection 24 B. */
  private final Set<Session> live = ConcurrentHashMap.newKeySet();
  private final AtomicLong nextId = new AtomicLong();
  /** Reserved slots: established sessions plus handshakes under way. */
  private final AtomicLong reserved = new AtomicLong();
  // Only the shutdown path waits on this; event loops signal it without waiting (tryLock would also do).
  private final ReentrantLock emptyLock = new ReentrantLock();
  private final Condition emptied = emptyLock.newCondition();
  private volatile boolean draining;
  /** Each event loop's session deadlines; an entry exists while its loop has a session armed. */
  private final ConcurrentHashMap<EventLoop, LoopDeadlines> deadlines = new ConcurrentHashMap<>();

  public Sessions(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** The deadlines of {@code loop}'s sessions; on that loop. */
  LoopDeadlines deadlinesOf(EventLoop loop) {
    LoopDeadlines d = deadlines.get(loop);
    return d != null ? d : deadlines.computeIfAbsent(loop, l -> new LoopDeadlines(l, this));
  }

  /** {@code d} holds no session any more: dropped, unless it was already replaced. */
  void dropDeadlines(EventLoop loop, LoopDeadlines d) {
    deadlines.remove(loop, d);
  }

  /**
   * Takes a slot if the server is under {@code max-connections}, and with it the id the connection's
   * session will have. The id is taken here, before a WebSocket's upgrade response is written, so that
   * ids follow the order in which clients saw their connections accepted: a client that connects after
   * another's upgrade completed gets a larger id, whichever event loop opens its session first.
   *
   * @return the id (from 1), or 0 when refused
   */
  public long reserve() {
    while (!draining) {
      long n = reserved.get();
      if (n >= maxConnections) {
        return 0;
      }
      if (reserved.compareAndSet(n, n + 1)) {
        return nextId.incrementAndGet();
      }
    }
    return 0;
  }

  /** From now on no connection is admitted; {@code /healthz} reports draining. */
  public void startDraining() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  /** Gives back a slot taken by {@link #reserve()} that never became a session (its id is not reused). */
  public void unreserve() {
    if (reserved.decrementAndGet() == 0) {
      signalEmpty();
    }
  }

  void added(Session s) {
    live.add(s);
  }

  /** Removes an ended session and frees its slot. */
  void removed(Session s) {
    live.remove(s);
    unreserve();
  }

  /** Established connections. */
  public int count() {
    return live.size();
  }

  /** Slots in use, handshakes under way included. */
  public long reserved() {
    return reserved.get();
  }

  public Collection<Session> all() {
    return Collections.unmodifiableCollection(live);
  }

  /** Waits until no slot is in use, or the timeout passes; returns whether it emptied. */
  public boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    emptyLock.lock();
    try {
      while (reserved.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        emptied.awaitNanos(left);
      }
      return true;
    } finally {
      emptyLock.unlock();
    }
  }

  private void signalEmpty() {
    // Held only for the signal itself; the waiter releases it while it waits.
    emptyLock.lock();
    try {
      emptied.signalAll();
    } finally {
      emptyLock.unlock();
    }
  }
}
