package dev.keel.session;

import dev.keel.limit.MemoryBudget;
import dev.keel.limit.Stage;
import io.netty.util.concurrent.Ticker;

/**
 * When bytes last arrived on a connection, noted by its frame decoder as each read arrives, before
 * decoding it, so that a partial frame or a pong counts as activity for the idle timeout. It also keeps
 * what the decoders tell it of frames begun and not finished (a frame's buffered bytes, a fragmented
 * message's joined fragments): since when, and how many bytes, for the frame timeout and the memory
 * budget's view of the connection.
 *
 * <p>Not a pipeline handler: it was one (the first of every pipeline), and its handler context cost
 * every idle connection 64 bytes and every read a hop (docs/benchmarks.md, round 10). The decoder it
 * is given to calls {@link #read()} and {@link #ended()}. Loop-confined.
 */
public final class ReadActivity {
  private final MemoryBudget budget;
  private final Ticker ticker;
  private long lastReadNanos;
  /** Since when the frame now unfinished began arriving; -1 while none is. */
  private long frameSince = -1;
  /** Since when the fragmented message now unfinished began arriving; -1 while none is. */
  private long fragmentsSince = -1;
  private int frameBytes;
  private int fragmentBytes;
  /** What is charged to the budget for them now. */
  private long charged;
  /**
   * The session, once there is one: its deadlines are told when a frame begins (the frame timeout
   * starts then), and its reading is paused when a frame grows while memory is short.
   */
  private Session session;

  /**
   * @param budget charged with the bytes of unfinished frames ({@code PARTIAL_FRAMES})
   * @param ticker the connection's event loop's: the clock counts from now
   */
  public ReadActivity(MemoryBudget budget, Ticker ticker) {
    this.budget = budget;
    this.ticker = ticker;
    this.lastReadNanos = ticker.nanoTime();
  }

  /** The decoder, as a read arrives and before it decodes it: the peer sent bytes. */
  public void read() {
    lastReadNanos = ticker.nanoTime();
  }

  /** The decoder, once the channel is inactive: what the decoders held goes with the channel. */
  public void ended() {
    frameBytes = 0;
    fragmentBytes = 0;
    changed();
  }

  long lastReadNanos() {
    return lastReadNanos;
  }

  /** Reading resumed after the server held it: the idle clock and an unfinished frame's clock restart. */
  void resumed(long nowNanos) {
    touch(nowNanos);
    if (frameSince >= 0) {
      frameSince = nowNanos;
    }
    if (fragmentsSince >= 0) {
      fragmentsSince = nowNanos;
    }
  }

  /** Counts work done on the peer's behalf (a throttled message processed) as activity. */
  void touch(long nowNanos) {
    lastReadNanos = Math.max(lastReadNanos, nowNanos);
  }

  /**
   * A decoder, after a read: the bytes of the frame it has begun and not finished (0: none).
   *
   * @param completed the read finished at least one frame, so the unfinished one began in it
   */
  public void frameBuffered(int bytes, boolean completed) {
    frameBytes = bytes;
    if (bytes == 0) {
      frameSince = -1;
    } else if (frameSince < 0 || completed) {
      frameSince = ticker.nanoTime();
      begun(frameSince);
    }
    changed();
  }

  /** The WebSocket handler: the bytes of a fragmented message joined so far (0: none, or complete). */
  public void fragmentsHeld(int bytes) {
    fragmentBytes = bytes;
    if (bytes == 0) {
      fragmentsSince = -1;
    } else if (fragmentsSince < 0) {
      fragmentsSince = ticker.nanoTime();
      begun(fragmentsSince);
    }
    changed();
  }

  /** Something unfinished began: the frame timeout runs from now. */
  private void begun(long now) {
    if (session != null) {
      session.deadlines.arm(now);
    }
  }

  private void changed() {
    long held = (long) frameBytes + fragmentBytes;
    if (held != charged) {
      if (held > charged && session != null && budget.stage() != Stage.NORMAL) {
        session.gate.overloaded(true); // the rest of this frame waits in the kernel until memory is back
      }
      budget.charge(MemoryBudget.Kind.PARTIAL_FRAMES, held - charged);
      charged = held;
    }
  }

  /** Since when a frame (or a fragmented message) has been unfinished, the earlier of the two, or -1. */
  long partialSince() {
    if (frameSince < 0) {
      return fragmentsSince;
    }
    return fragmentsSince < 0 ? frameSince : Math.min(frameSince, fragmentsSince);
  }

  /** Bytes held for unfinished frames and messages. */
  long partialBytes() {
    return (long) frameBytes + fragmentBytes;
  }

  void session(Session s) {
    session = s;
  }
}
