package dev.keel.session;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The next deadline of every session on one event loop, earliest first (a binary heap), behind one
 * task the loop schedules at the earliest. A session's timer used to be a task of its own on the loop,
 * and Netty's scheduled task is 64 bytes of every idle connection's heap; here a session costs a slot
 * in an array and the index it keeps of it.
 *
 * <p>When the task fires, every session whose deadline has come is taken out first, then each runs;
 * what they re-arm goes back in for a later run, as a task of its own would have (none runs twice in
 * one pass, even if it re-arms for now).
 *
 * <p>Loop-confined: made, used and emptied on its loop ({@link Sessions#deadlinesOf}).
 */
final class LoopDeadlines implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LoopDeadlines.class);

  /** What the heap holds: a deadline and its place; {@link #fire} runs on the loop once it is due. */
  abstract static class Entry {
    /** When it fires, while it is in a heap. */
    long due;
    /** Its place in the heap; -1 while in none. */
    int slot = -1;

    /** Due: it has been taken out of the heap, and may put itself back in. */
    abstract void fire();
  }

  private final EventLoop loop;
  private final Sessions owner;
  private Entry[] heap = new Entry[64];
  private int size;
  /** The loop's task, due at {@code taskDue}; null while none is scheduled. */
  private ScheduledFuture<?> task;
  private long taskDue;

  LoopDeadlines(EventLoop loop, Sessions owner) {
    this.loop = loop;
    this.owner = owner;
  }

  /** Puts {@code d} in at its {@link Entry#due}, or moves it there if it is in already. */
  void add(Entry d, long now) {
    if (d.slot >= 0) {
      int i = d.slot;
      up(i);
      down(d.slot);
    } else {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      heap[size] = d;
      d.slot = size++;
      up(d.slot);
    }
    rearm(now);
  }

  /** Takes {@code d} out, if it is in. */
  void remove(Entry d) {
    int i = d.slot;
    if (i < 0) {
      return;
    }
    d.slot = -1;
    Entry last = heap[--size];
    heap[size] = null;
    if (i != size) {
      heap[i] = last;
      last.slot = i;
      up(i);
      down(last.slot);
    }
    if (size == 0) {
      cancelTask();
      owner.dropDeadlines(loop, this); // an idle loop (or a finished test's) keeps nothing
    } else if (heap.length > 64 && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, heap.length / 2); // after a mass disconnect
    }
  }

  int size() {
    return size;
  }

  @Override
  public void run() {
    task = null;
    long now = loop.ticker().nanoTime();
    List<Entry> due = null;
    while (size > 0 && heap[0].due <= now) {
      Entry d = heap[0];
      removeTop();
      if (due == null) {
        due = new ArrayList<>();
      }
      due.add(d);
    }
    if (due != null) {
      for (Entry d : due) {
        try {
          d.fire();
        } catch (RuntimeException e) {
          // One session's failure must not strand the others' deadlines.
          log.warn("{}: deadline check failed", d, e);
        }
      }
    }
    if (size == 0) {
      owner.dropDeadlines(loop, this);
    } else {
      rearm(loop.ticker().nanoTime());
    }
  }

  /** The loop's task is due no later than the earliest deadline. */
  private void rearm(long now) {
    if (size == 0) {
      return;
    }
    long earliest = heap[0].due;
    if (task != null) {
      if (taskDue <= earliest) {
        return; // fires soon enough: the run takes what is due and re-arms for the rest
      }
      task.cancel(false);
    }
    taskDue = earliest;
    task = loop.schedule(this, Math.max(earliest - now, 1), TimeUnit.NANOSECONDS);
  }

  private void cancelTask() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void removeTop() {
    Entry top = heap[0];
    top.slot = -1;
    Entry last = heap[--size];
    heap[size] = null;
    if (size > 0) {
      heap[0] = last;
      last.slot = 0;
      down(0);
    }
  }

  private void up(int i) {
    Entry d = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Entry p = heap[parent];
      if (p.due <= d.due) {
        break;
      }
      heap[i] = p;
      p.slot = i;
      i = parent;
    }
    heap[i] = d;
    d.slot = i;
  }

  private void down(int i) {
    Entry d = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].due < heap[child].due) {
        child = right;
      }
      if (d.due <= heap[child].due) {
        break;
      }
      heap[i] = heap[child];
      heap[i].slot = i;
      i = child;
    }
    heap[i] = d;
    d.slot = i;
  }
}
