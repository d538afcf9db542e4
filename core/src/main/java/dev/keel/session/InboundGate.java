package dev.keel.session;

import dev.keel.config.RateLimitPolicy;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.Stage;
import dev.keel.limit.Rate;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session lets in: the token bucket of its rate limit, the messages read but not yet handed on
 * (waiting for tokens, or for a full application queue), and whether the socket is read at all.
 *
 * <p>Control frames (WebSocket pings, pongs and the fragments of a message) take tokens too
 * ({@link #offerControl}): read while the bucket is empty, they are owed, reading stops as for a
 * message, and once the debt is paid the latest ping gets its pong (RFC 6455 §5.5.3 allows answering
 * only the most recent), so a control-frame flood costs a counter and one payload, never a queue.
 *
 * <p>The gate is the only owner of the channel's {@code autoRead}: reading runs exactly while no
 * suspension reason holds. The reasons are {@link #BACKLOG} (messages wait for tokens: TCP flow
 * control slows the sender meanwhile), {@link #APPLICATION} (the handler's inbound queue is full),
 * {@link #OVERLOAD} (the memory budget is over its high mark and this connection sent a message) and
 * {@link #CLOSING} (the session is closing: nothing more is read until its goodbye is out).
 *
 * <p>The backlog is charged to the memory budget ({@code INBOUND}): each message's bytes plus the
 * per-entry overhead, released when it is handed on or dropped.
 *
 * <p>Loop-confined, like its session.
 */
final class InboundGate {
  private static final Logger log = LoggerFactory.getLogger(InboundGate.class);

  static final int BACKLOG = 1;
  static final int APPLICATION = 2;
  static final int CLOSING = 4;
  /** The memory budget is above its high mark and this connection sends: producers wait. */
  static final int OVERLOAD = 8;

  private record Inbound(byte[] payload, boolean binary) {}

  // Fields are few on purpose: one of these per connection (the channel and the policy come from the session).
  private final Session session;
  /**
   * The rate limit's bucket, as its {@link Rate} state (the shape is the server's): a long here rather
   * than a bucket object of its own, 48 bytes less on every connection.
   */
  private long bucket = Rate.FULL;
  private int reasons;
  /** Read and not yet handed on, in arrival order; null rather than empty. */
  private ArrayDeque<Inbound> pending;
  private ScheduledFuture<?> resumeTask;
  private int backlogBytes;
  private long messagesIn;
  private long rateLimitedCount;
  /** Control frames read while out of tokens: paid before anything else is let through. */
  private int owedTokens;
  /** The latest ping read while tokens were owed: answered once they are paid. */
  private byte[] owedPing;

  InboundGate(Session session) {
    this.session = session;
  }

  /** Takes a token of the rate limit if there is one. */
  private boolean tryTake() {
    Rate rate = session.server.settings().rate();
    long now = session.ticker().nanoTime();
    if (rate.admits(bucket, now)) {
      bucket = rate.taken(bucket, now);
      return true;
    }
    return false;
  }

  /** One decoded message: handed on now if the rate allows and nothing waits ahead of it. */
  void offer(byte[] payload, boolean binary) {
    if (session.server.budget().stage() != Stage.NORMAL && (reasons & OVERLOAD) == 0) {
      // Memory is short: this message is taken, and the sender waits (TCP flow control) until the
      // stage ends. What the current read already decoded is handled as usual.
      overloaded(true);
    }
    if ((reasons & APPLICATION) != 0 || pending != null || owedTokens > 0) {
      enqueue(payload, binary); // keep order behind what waits
      if ((reasons & APPLICATION) == 0) {
        rateLimited();
      }
      return;
    }
    if (tryTake()) {
      deliver(payload, binary);
      return;
    }
    rateLimited();
    if (session.server.settings().rateLimitPolicy() == RateLimitPolicy.DISCONNECT) {
      session.close(CloseCause.RATE_LIMIT);
      return;
    }
    // Stop reading: the rest waits in the kernel, and TCP flow control slows the sender. What the
    // current read already decoded (at most one read's worth) waits here.
    enqueue(payload, binary);
    scheduleResume();
  }

  /**
   * One control frame: a ping ({@code ping} is its payload, answered with a pong), or a pong or a
   * message fragment ({@code ping} null: nothing to answer). Either takes a token; without one it is
   * owed and reading stops, or under the {@code disconnect} policy the connection closes.
   */
  void offerControl(byte[] ping) {
    if (owedTokens == 0 && tryTake()) {
      if (ping != null) {
        ControlFrames.pong(session, ping);
      }
      return;
    }
    rateLimited();
    if (session.server.settings().rateLimitPolicy() == RateLimitPolicy.DISCONNECT) {
      session.close(CloseCause.RATE_LIMIT);
      return;
    }
    boolean resumeDue = resumeTask != null;
    owedTokens++;
    if (ping != null) {
      owedPing = ping;
    }
    suspend(BACKLOG);
    if (!resumeDue) {
      scheduleResume();
    }
  }

  /** The application cannot take more now: stop reading (messages already decoded wait here). */
  void holdForApplication() {
    suspend(APPLICATION);
  }

  /** The application has room again: hand on what waits (within the rate), then read again. */
  void releaseForApplication() {
    if ((reasons & APPLICATION) == 0) {
      return;
    }
    reasons &= ~APPLICATION;
    if (!session.isOpen()) {
      return;
    }
    session.activity.touch(session.channel.eventLoop().ticker().nanoTime());
    if (pending == null) {
      apply();
    } else if (resumeTask == null) {
      resume();
    }
  }

  /** The memory budget's stage has ended: a sender it held may be read again. */
  void overloaded(boolean hold) {
    if (hold) {
      if ((reasons & OVERLOAD) == 0) {
        suspend(OVERLOAD);
        session.server.budget().count(MemoryBudget.Action.PAUSED);
      }
    } else if ((reasons & OVERLOAD) != 0) {
      reasons &= ~OVERLOAD;
      if (session.isOpen()) {
        // The pause was ours: the idle clock and an unfinished frame's clock start again now.
        session.activity.resumed(session.channel.eventLoop().ticker().nanoTime());
      }
      apply();
    }
  }

  /** Why the socket is not read, for the connection ledger: null while it is. */
  String heldFor() {
    if (reasons == 0) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    label(b, BACKLOG, "rate_limit");
    label(b, APPLICATION, "handler");
    label(b, OVERLOAD, "memory");
    label(b, CLOSING, "closing");
    return b.toString();
  }

  private void label(StringBuilder b, int reason, String name) {
    if ((reasons & reason) != 0) {
      b.append(b.isEmpty() ? "" : "+").append(name);
    }
  }

  boolean isHeldForApplication() {
    return (reasons & APPLICATION) != 0;
  }

  /** Reading is held by this server (a full handler queue, or memory): the peer's silence is ours. */
  boolean isHeldByServer() {
    return (reasons & (APPLICATION | OVERLOAD)) != 0;
  }

  /** Whether messages wait for tokens or for the application. */
  boolean hasBacklog() {
    return pending != null;
  }

  int backlog() {
    return pending == null ? 0 : pending.size();
  }

  /** The backlog as the memory budget counts it. */
  long backlogAccounted() {
    return backlogBytes + (long) backlog() * MemoryBudget.ENTRY_OVERHEAD;
  }

  /** The session is closing: what waits is dropped and nothing more is read. */
  void closing() {
    dropBacklog();
    owedTokens = 0;
    owedPing = null;
    cancelResume();
    suspend(CLOSING);
  }

  /**
   * The goodbye is on its way: read again, and the session discards what arrives, so that the final
   * close is a FIN and not a reset over unread bytes (which can destroy the goodbye at the peer).
   */
  void discardUntilClosed() {
    dropBacklog();
    owedTokens = 0;
    owedPing = null;
    reasons = 0;
    apply();
  }

  /** The channel closed: nothing is left scheduled or held. */
  void ended() {
    cancelResume();
    dropBacklog();
    owedPing = null;
  }

  private void dropBacklog() {
    if (pending != null) {
      session.server.budget().release(MemoryBudget.Kind.INBOUND, backlogAccounted());
      pending = null;
      backlogBytes = 0;
    }
  }

  /** Messages handed to the handler, and held back by the rate limit, over the connection's life. */
  long messagesIn() {
    return messagesIn;
  }

  long rateLimitedCount() {
    return rateLimitedCount;
  }

  private void deliver(byte[] payload, boolean binary) {
    messagesIn++;
    session.transportStats.received.increment();
    try {
      session.server.handler().onMessage(session, payload, binary);
    } catch (RuntimeException e) {
      log.warn("{}: handler failed on a message: closing", session, e);
      session.close(CloseCause.ERROR);
    }
  }

  private void rateLimited() {
    session.server.counters().rateLimited.increment();
    rateLimitedCount++;
  }

  private void enqueue(byte[] payload, boolean binary) {
    if (pending == null) {
      pending = new ArrayDeque<>(4);
    }
    pending.addLast(new Inbound(payload, binary));
    backlogBytes += payload.length;
    session.server.budget().charge(MemoryBudget.Kind.INBOUND, payload.length + (long) MemoryBudget.ENTRY_OVERHEAD);
    suspend(BACKLOG);
  }

  private void scheduleResume() {
    long delay = session.server.settings().rate().nanosUntilNextToken(bucket, session.ticker().nanoTime());
    // Rare (a connection over its rate): a task only then, no field kept for it otherwise.
    resumeTask = session.channel.eventLoop().schedule(this::resume, Math.max(delay, 1), TimeUnit.NANOSECONDS);
  }

  private void resume() {
    resumeTask = null;
    if (!session.isOpen()) {
      return;
    }
    session.activity.touch(session.channel.eventLoop().ticker().nanoTime());
    while (owedTokens > 0 && tryTake()) {
      owedTokens--;
    }
    if (owedTokens > 0) {
      scheduleResume();
      return;
    }
    if (owedPing != null) {
      byte[] ping = owedPing;
      owedPing = null;
      ControlFrames.pong(session, ping);
    }
    Inbound next;
    while ((reasons & APPLICATION) == 0 && pending != null && (next = pending.peekFirst()) != null
        && tryTake()) {
      pending.pollFirst();
      backlogBytes -= next.payload().length;
      session.server.budget().release(MemoryBudget.Kind.INBOUND, next.payload().length + (long) MemoryBudget.ENTRY_OVERHEAD);
      deliver(next.payload(), next.binary());
      if (!session.isOpen()) {
        return;
      }
    }
    if (pending != null && pending.isEmpty()) {
      pending = null; // a throttled burst should not pin its deque's array
    }
    if (pending == null) {
      reasons &= ~BACKLOG;
      apply();
    } else if ((reasons & APPLICATION) == 0) {
      scheduleResume();
    } // else releaseForApplication() takes over
  }

  private void suspend(int reason) {
    if ((reasons & reason) == 0) {
      reasons |= reason;
      apply();
    }
  }

  private void apply() {
    session.channel.config().setAutoRead(reasons == 0);
  }

  private void cancelResume() {
    if (resumeTask != null) {
      resumeTask.cancel(false);
      resumeTask = null;
    }
  }
}
