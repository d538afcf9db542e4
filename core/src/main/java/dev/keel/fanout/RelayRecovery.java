package dev.keel.fanout;

import dev.keel.session.Subscriber;
import dev.keel.spi.Relay;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery in cluster mode, where each topic's history and epoch live in the relay (Redis), so that a
 * client recovers through any node. The node's own {@link History} is not used there: it would hold
 * only what this node received while it had subscribers, which is not what a client that was on
 * another node missed, and two sources would have to be reconciled message by message.
 *
 * <p>A subscription with {@code since} waits, as a {@link Pending} in its topic, while the relay reads
 * the stream (off the event loop). Meanwhile the topic's live messages are buffered in it, bounded by
 * {@code history-size} messages and {@code history-max-bytes} (charged to the budget as history).
 * The relay answers on the thread that delivers the topic's messages, after every message up to the
 * stream's last seq {@code C} that this node will receive and before any later one, so the switch
 * (on the subscriber's loop, under the topic's monitor) replays the stream's messages after
 * {@code since} up to {@code C}, then the buffered ones after {@code C} (those up to {@code C} are
 * duplicates and dropped), and adds the subscriber to the live fan-out: no gap, no duplicate. A
 * buffer that overflowed answers {@code too_far_behind}; every path releases what it held.
 */
final class RelayRecovery {
  private static final Logger log = LoggerFactory.getLogger(RelayRecovery.class);

  private final HistorySettings settings;
  private final HistoryCounters counters;
  private final Recoverer recoverer;

  RelayRecovery(HistorySettings settings, HistoryCounters counters, Recoverer recoverer) {
    this.settings = settings;
    this.counters = counters;
    this.recoverer = recoverer;
  }

  /** A live message buffered while the relay reads. */
  private record Buffered(String epoch, long seq, byte[] data) {
    long cost() {
      return data.length + History.ENTRY_OVERHEAD;
    }
  }

  /** One subscription waiting for the relay's read. Guarded by its topic's monitor. */
  final class Pending {
    final Subscriber subscriber;
    final Position since;
    private final ArrayDeque<Buffered> live = new ArrayDeque<>();
    private long bytes;
    private boolean overflowed;
    /** The subscriber unsubscribed (or closed) meanwhile: nothing is subscribed at the switch. */
    boolean cancelled;

    Pending(Subscriber subscriber, Position since) {
      this.subscriber = subscriber;
      this.since = since;
    }

    /** A live message of the topic (under its monitor): kept for the switch, within the bounds. */
    void offer(String epoch, long seq, byte[] data) {
      if (overflowed) {
        return;
      }
      Buffered b = new Buffered(epoch, seq, data);
      if (live.size() >= settings.size() || bytes + b.cost() > settings.maxBytes()) {
        overflowed = true;
        release();
        return;
      }
      live.addLast(b);
      bytes += b.cost();
      counters.held(b.cost());
    }

    /** Drops the buffer and gives its bytes back to the budget. */
    void release() {
      live.clear();
      counters.freed(bytes);
      bytes = 0;
    }
  }

  /**
   * Registers {@code s} as pending in {@code topic} (created if needed, and the relay told first, so
   * that it subscribes the channel before it reads the stream), then starts the read. On s's loop.
   */
  void subscribe(Relay relay, ConcurrentHashMap<String, Topic> topics, Function<String, Topic> newTopic, String topic,
      Subscriber s, Position since, Runnable onSubscribed, Consumer<Recovery> done) {
    if (!s.eventLoop().inEventLoop()) {
      throw new IllegalStateException("a recovering subscription must run on the subscriber's event loop");
    }
    boolean[] created = new boolean[1];
    Pending p = new Pending(s, since);
    Topic t = topics.compute(topic, (name, old) -> {
      Topic tp = old == null ? newTopic.apply(name) : old;
      created[0] = old == null;
      synchronized (tp) {
        tp.pending.add(p);
      }
      return tp;
    });
    if (created[0]) {
      relay.topicChanged(topic);
    }
    start(relay, t, p, onSubscribed, done);
  }

  /** A message the relay delivered on {@code t} (under its monitor): its epoch, and the pending buffers. */
  static void delivered(Topic t, String epoch, long seq, byte[] data) {
    if (epoch != null) {
      t.epoch(epoch);
    }
    for (Pending p : t.pending) {
      p.offer(epoch, seq, data);
    }
  }

  /** {@code s} unsubscribed or closed: its pending subscription, if any, subscribes nothing. Under t's monitor. */
  static void cancel(Topic t, Subscriber s) {
    t.pending.removeIf(p -> {
      if (p.subscriber != s) {
        return false;
      }
      p.cancelled = true;
      p.release();
      return true;
    });
  }

  /**
   * Asks the relay for {@code p}'s part of the stream; the answer completes the subscription on
   * {@code p}'s loop ({@code done} runs there, with null when it was cancelled meanwhile).
   *
   * @param onSubscribed runs (under the topic's monitor) when the subscriber joins the live fan-out
   */
  private void start(Relay relay, Topic t, Pending p, Runnable onSubscribed, Consumer<Recovery> done) {
    boolean recovering = p.since.epoch() != null && settings.enabled();
    long after = recovering ? Math.max(0, p.since.seq()) : 0;
    int max = recovering ? settings.size() : 0;
    relay.recover(t.name, after, max, stream -> {
      long cost = 0;
      for (Relay.Message m : stream.messages()) {
        cost += m.data().length + History.ENTRY_OVERHEAD;
      }
      counters.held(cost);
      long held = cost;
      onLoop(t, p, () -> finish(t, p, stream, onSubscribed, done, held), held);
    }, reason -> {
      log.debug("recovery of {} from {}: {}", t.name, p.since, reason);
      onLoop(t, p, () -> finish(t, p, null, onSubscribed, done, 0), 0);
    });
  }

  private void onLoop(Topic t, Pending p, Runnable task, long held) {
    try {
      p.subscriber.eventLoop().execute(task);
    } catch (RejectedExecutionException shuttingDown) {
      synchronized (t) { // the loop has stopped (its connection with it): nothing is subscribed
        t.pending.remove(p);
        p.release();
      }
      counters.freed(held);
    }
  }

  /** On the subscriber's loop: judges the position, switches it to the live stream, replays. */
  private void finish(Topic t, Pending p, Relay.Stream stream, Runnable onSubscribed, Consumer<Recovery> done,
      long held) {
    List<History.Entry> replay = new ArrayList<>();
    Recovery r;
    synchronized (t) {
      t.pending.remove(p);
      if (p.cancelled) {
        p.release();
        counters.freed(held);
        done.accept(null);
        return;
      }
      boolean attempted = p.since.epoch() != null;
      boolean consistent = stream != null && !p.overflowed;
      if (stream != null) {
        if (t.epoch() == null || t.lastSeq() <= stream.lastSeq()) {
          t.epoch(stream.epoch());
        }
        for (Buffered b : p.live) {
          if (b.seq() > stream.lastSeq() && b.epoch() != null && !b.epoch().equals(stream.epoch())) {
            consistent = false; // the stream started again while the relay read it
          }
        }
      }
      RecoveryFailure why = attempted ? judge(p, stream, consistent) : null;
      if (consistent) {
        List<History.Entry> missed = new ArrayList<>();
        if (attempted && why == null) {
          for (Relay.Message m : stream.messages()) {
            missed.add(new History.Entry(m.seq(), m.data(), 0));
          }
        }
        List<History.Entry> live = new ArrayList<>();
        for (Buffered b : p.live) {
          if (b.seq() > stream.lastSeq()) {
            live.add(new History.Entry(b.seq(), b.data(), 0));
          }
        }
        if (!missed.isEmpty()) {
          List<History.Entry> all = new ArrayList<>(missed);
          all.addAll(live);
          if (!Recoverer.fits(t, p.subscriber, all)) {
            why = RecoveryFailure.TOO_FAR_BEHIND; // would cut it as a slow consumer before it learned why
            missed.clear();
          }
        }
        replay.addAll(missed);
        replay.addAll(live); // after the stream's last seq: live messages, owed either way
        r = new Recovery(stream.epoch(), stream.lastSeq(), attempted, attempted && why == null, why);
      } else {
        r = new Recovery(t.epoch(), t.lastSeq(), attempted, false, why); // live messages follow this node's last
      }
      if (t.add(p.subscriber)) {
        onSubscribed.run();
      }
      if (attempted) {
        if (why == null) {
          counters.recovered();
        } else {
          counters.notRecovered(why);
        }
      }
      p.release();
    }
    counters.freed(held);
    done.accept(r);
    recoverer.replay(t, p.subscriber, replay);
  }

  /** Why {@code p.since} cannot be recovered from {@code stream}, or null when it can. */
  private RecoveryFailure judge(Pending p, Relay.Stream stream, boolean consistent) {
    long since = p.since.seq();
    if (!settings.enabled()) {
      return RecoveryFailure.NO_HISTORY;
    }
    if (stream == null) {
      return RecoveryFailure.UNAVAILABLE;
    }
    if (!p.since.epoch().equals(stream.epoch())) {
      return RecoveryFailure.EPOCH_CHANGED;
    }
    if (since < 0 || since > stream.lastSeq()) {
      return RecoveryFailure.UNKNOWN_POSITION;
    }
    if (!consistent) {
      // The buffer overflowed (the stream ran more than history-size ahead meanwhile), or a new epoch began.
      return p.overflowed ? RecoveryFailure.TOO_FAR_BEHIND : RecoveryFailure.EPOCH_CHANGED;
    }
    if (since == stream.lastSeq()) {
      return null; // nothing missed
    }
    if (stream.lastSeq() - since > settings.size()) {
      return RecoveryFailure.TOO_FAR_BEHIND;
    }
    if (stream.expired()) {
      return RecoveryFailure.EXPIRED;
    }
    List<Relay.Message> kept = stream.messages();
    if (kept.size() != stream.lastSeq() - since) {
      return RecoveryFailure.TOO_FAR_BEHIND; // trimmed (MAXLEN) or lost: not every message is there
    }
    for (int i = 0; i < kept.size(); i++) {
      if (kept.get(i).seq() != since + 1 + i) {
        return RecoveryFailure.TOO_FAR_BEHIND;
      }
    }
    return null;
  }
}
