package dev.keel.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One process-wide cap on accepted sockets, whatever their listener: WebSocket, framed TCP, plain
 * HTTP, connections that never upgrade, and the admin listener's. It is derived from the
 * file-descriptor limit with headroom ({@link #fromFdLimit}), so that accept never fails with EMFILE
 * because of sockets; a listener for operators takes a {@link #reserve} of its own, which the public
 * listeners cannot use, so that the admin port answers when the public ports are full.
 *
 * <p>Thread-safe and lock-free: accept paths on several event loops call it.
 *
 * <p>Usage: {@code Pool p = budget.shared(); if (!p.tryAcquire()) { ch.close(); } else { ch.closeFuture().addListener(f -> p.release()); }}
 */
public final class SocketBudget {
  /** File descriptors left for everything but sockets: jars, epoll and event fds, pipes, log files, Redis. */
  static final int MIN_HEADROOM = 64;

  private final int max;
  /** Sockets set aside by every reserve together. */
  private final AtomicInteger reserved = new AtomicInteger();
  /** Sockets held in the reserves. */
  private final AtomicInteger reservedInUse = new AtomicInteger();
  private final Pool shared;

  /** @param max sockets of every listener together, at least 1 */
  public SocketBudget(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    this.max = max;
    this.shared = new Pool(-1);
  }

  /**
   * The sockets a process with {@code fdLimit} file descriptors can accept and still open files: the
   * limit less an eighth of it, and at least {@link #MIN_HEADROOM} (1,024 → 896; 65,536 → 57,344).
   */
  public static int fromFdLimit(long fdLimit) {
    long headroom = Math.max(MIN_HEADROOM, fdLimit / 8);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fdLimit - headroom));
  }

  /** Every listener's sockets together. */
  public int max() {
    return max;
  }

  /** The public listeners' pool: {@link #max()} less every reserve. */
  public Pool shared() {
    return shared;
  }

  /**
   * Sets {@code size} sockets aside for one listener (the admin port): the shared pool shrinks by as
   * much. Called before the listeners take connections.
   *
   * @throws IllegalArgumentException when the reserves would leave the public listeners nothing
   */
  public Pool reserve(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a reserve holds at least 1 socket, was " + size);
    }
    int total = reserved.addAndGet(size);
    if (total >= max) {
      reserved.addAndGet(-size);
      throw new IllegalArgumentException("reserving " + size + " sockets would leave none of max-sockets ("
          + max + ") to the public listeners");
    }
    return new Pool(size);
  }

  /** Sockets in use in every pool. */
  public int inUse() {
    return shared.open() + reservedInUse.get();
  }

  /** A share of the budget: the shared pool, or one reserve. */
  public final class Pool {
    /** -1: the shared pool, whose size is what the reserves leave. */
    private final int size;
    private final AtomicInteger open = new AtomicInteger();

    private Pool(int size) {
      this.size = size;
    }

    /** How many sockets this pool may hold. */
    public int limit() {
      return size < 0 ? max - reserved.get() : size;
    }

    /** Takes a socket's place if the pool has one; then {@link #release()} it when the socket closes. */
    public boolean tryAcquire() {
      int limit = limit();
      while (true) {
        int n = open.get();
        if (n >= limit) {
          return false;
        }
        if (open.compareAndSet(n, n + 1)) {
          if (size >= 0) {
            reservedInUse.incrementAndGet();
          }
          return true;
        }
      }
    }

    public void release() {
      open.decrementAndGet();
      if (size >= 0) {
        reservedInUse.decrementAndGet();
      }
    }

    /** Sockets held now. */
    public int open() {
      return open.get();
    }
  }
}
