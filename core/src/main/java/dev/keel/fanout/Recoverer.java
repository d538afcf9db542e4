package dev.keel.fanout;

import dev.keel.session.SendOutcome;
import dev.keel.session.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.Ticker;
import java.util.List;

/** Judges a subscriber's position against a topic's history, and replays what it missed. */
final class Recoverer {
  private final ByteBufAllocator alloc;
  private final FanOutCounters stats;
  private final HistoryCounters counters;
  private final Ticker ticker;

  Recoverer(ByteBufAllocator alloc, FanOutCounters stats, HistoryCounters counters, Ticker ticker) {
    this.alloc = alloc;
    this.stats = stats;
    this.counters = counters;
    this.ticker = ticker;
  }

  /**
   * Where {@code since} stands in {@code t}'s stream for {@code s}; counts the attempt. Under t's
   * monitor. What is missed must also fit {@code s}'s queue now: otherwise the replay would cut it as a
   * slow consumer before it learned why, and each reconnect would do the same ({@code too_far_behind}).
   */
  Recovery position(Topic t, Position since, Subscriber s) {
    long last = t.lastSeq();
    if (since.epoch() == null) {
      return Recovery.positionOnly(t.epoch(), last);
    }
    RecoveryFailure why = null;
    if (t.history == null) {
      why = RecoveryFailure.NO_HISTORY;
    } else if (!since.epoch().equals(t.epoch())) {
      why = RecoveryFailure.EPOCH_CHANGED;
    } else if (since.seq() < 0 || since.seq() > last) {
      why = RecoveryFailure.UNKNOWN_POSITION;
    } else {
      t.history.trimExpired(ticker.nanoTime());
      if (since.seq() + 1 < t.history.oldestSeq(last)) {
        why = since.seq() + 1 <= t.history.expiredThrough() ? RecoveryFailure.EXPIRED : RecoveryFailure.TOO_FAR_BEHIND;
      } else if (!fits(t, s, t.history.after(since.seq()))) {
        why = RecoveryFailure.TOO_FAR_BEHIND;
      }
    }
    if (why == null) {
      counters.recovered();
      return new Recovery(t.epoch(), last, true, true, null);
    }
    counters.notRecovered(why);
    return new Recovery(t.epoch(), last, true, false, why);
  }

  /** Whether replaying {@code missed} to {@code s} fits its queue's bounds now. */
  static boolean fits(Topic t, Subscriber s, List<History.Entry> missed) {
    long bytes = 0;
    for (History.Entry e : missed) {
      bytes += e.data().length + t.envelopeBytes();
    }
    return s.hasRoom(missed.size(), bytes);
  }

  /** Queues the missed messages to {@code s}, on its loop, before any live one of the topic. */
  void replay(Topic t, Subscriber s, List<History.Entry> missed) {
    int queued = 0;
    for (History.Entry e : missed) {
      ByteBuf msg = t.encode(alloc, e.seq(), e.data());
      ByteBuf frame;
      try {
        frame = s.framing().dataFrame(alloc, msg, false);
      } finally {
        msg.release();
      }
      try {
        if (s.offer(frame, t) == SendOutcome.QUEUED) {
          queued++;
        }
      } finally {
        frame.release(); // the queue took its own reference
      }
    }
    stats.delivered.add(queued);
  }
}
