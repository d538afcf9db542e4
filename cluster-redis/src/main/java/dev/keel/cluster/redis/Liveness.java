package dev.keel.cluster.redis;

import java.util.concurrent.CompletableFuture;

/**
 * The health check's judgement of one Redis connection, once per {@code cluster-redis-ping-interval}
 * on the link's executor. A connection on which anything arrives (a reply, a pub/sub message, the
 * PONG) is alive; the PING matters only when it has been quiet. At most one PING is outstanding: a
 * new one goes out only once the last is answered. The PING is missed only when it is still
 * unanswered and nothing at all arrived on the connection during the whole interval since the last
 * check (the one that sent it, or a later one that saw data), nor is a read being handled now. So a PONG queued behind a flood of
 * messages that the node is still reading is waited for, and a silent Redis (paused, or the path to it
 * gone without a FIN or RST) is still noticed within two intervals once its data stops.
 *
 * <p>Not thread-safe: the link's executor only. The arrival count is read from another thread's
 * counter ({@link Arrivals}).
 *
 * <p>Usage: {@code switch (liveness.check()) { case PING -> liveness.sent(ping()); case BUSY -> {} case
 * SILENT -> drop(); }}
 */
final class Liveness {
  /** What a check found. */
  enum Verdict {
    /** No PING outstanding: send one now ({@link #sent}). */
    PING,
    /** The PING is not answered yet but data arrived within the interval: alive, keep waiting. */
    BUSY,
    /** The PING is not answered and nothing arrived for a whole interval: Redis went silent. */
    SILENT
  }

  private final Arrivals.Reads arrivals;
  /** Arrivals counted at the last check. */
  private long seen;
  /** The last PING sent, null before the first. */
  private CompletableFuture<?> ping;

  Liveness(Arrivals.Reads arrivals) {
    this.arrivals = arrivals;
    this.seen = arrivals.count();
  }

  Verdict check() {
    long now = arrivals.count();
    boolean arrived = now != seen || arrivals.inProgress();
    seen = now;
    if (ping == null || ping.isDone()) {
      return Verdict.PING;
    }
    return arrived ? Verdict.BUSY : Verdict.SILENT;
  }

  /** The PING the last {@link Verdict#PING} sent. */
  void sent(CompletableFuture<?> ping) {
    this.ping = ping;
  }
}
