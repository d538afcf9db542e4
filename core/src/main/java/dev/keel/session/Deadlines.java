package dev.keel.session;

import io.netty.channel.ChannelOutboundBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's deadlines on one timer: the handshake (first frame), the idle timeout (no inbound byte),
 * the heartbeat it owes the peer, the frame timeout (a frame begun must finish), and the write-progress
 * check. The timer is an entry in its event loop's {@link LoopDeadlines}, re-armed at the earliest
 * deadline and taken out when the session ends: no thread and no task outlives the connection, and an
 * idle connection holds no scheduled task of its own. This object is that entry (no lambda per session).
 *
 * <p>Loop-confined, like its session.
 */
final class Deadlines extends LoopDeadlines.Entry {
  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

  private final Session session;
  private long lastHeartbeatNanos;
  /** Watches pending output; made the first time output is pending, then reused (idle connections never make it). */
  private WriteProgress progress;

  Deadlines(Session session, long openedNanos) {
    this.session = session;
    this.lastHeartbeatNanos = openedNanos;
  }

  /** Arms the timer at the earliest deadline from {@code now}. */
  void arm(long now) {
    SessionSettings settings = session.server.settings();
    long next = Math.min(session.activity.lastReadNanos() + settings.idleNanos(), lastHeartbeatNanos + settings.heartbeatNanos());
    if (!session.established) {
      next = Math.min(next, session.openedNanos + settings.handshakeNanos());
    }
    if (progress != null && progress.isWatching()) {
      next = Math.min(next, now + writeCheckNanos());
    }
    long partialSince = session.activity.partialSince();
    if (partialSince >= 0) {
      next = Math.min(next, partialSince + settings.frameTimeoutNanos());
    }
    schedule(now, next);
  }

  /** After a drain: starts watching if output is now pending and nothing watches it yet. */
  void watchWrites(long now) {
    if ((progress != null && progress.isWatching()) || !session.hasPendingWrites()) {
      return;
    }
    startWatching(now);
    schedule(now, now + writeCheckNanos());
  }

  private void schedule(long now, long deadline) {
    if (slot >= 0 && due <= deadline) {
      return; // fires soon enough; it re-arms for the rest
    }
    due = deadline;
    loopDeadlines().add(this, now);
  }

  private LoopDeadlines loopDeadlines() {
    return session.server.sessions().deadlinesOf(session.eventLoop());
  }

  private long writeCheckNanos() {
    return Math.max(1, session.server.settings().writeTimeoutNanos() / 4);
  }

  /** The timer fired (its loop's {@link LoopDeadlines} has taken it out). */
  @Override
  void fire() {
    if (!session.isLive()) {
      return;
    }
    SessionSettings settings = session.server.settings();
    long now = session.eventLoop().ticker().nanoTime();
    if (!session.established && now - session.openedNanos >= settings.handshakeNanos()) {
      log.debug("{}: no first frame within the handshake timeout", session);
      session.expire(CloseCause.HANDSHAKE_TIMEOUT);
      return;
    }
    // While reading is held by the server (the handler's inbound queue is full, or memory is short),
    // the peer's silence is ours: the idle and frame clocks restart when reading resumes.
    boolean held = session.gate.isHeldByServer();
    if (!held && now - session.activity.lastReadNanos() >= settings.idleNanos()) {
      log.debug("{}: idle for {} ms: closing", session, settings.idleNanos() / 1_000_000);
      session.expire(CloseCause.IDLE_TIMEOUT);
      return;
    }
    long partialSince = session.activity.partialSince();
    if (!held && partialSince >= 0 && now - partialSince >= settings.frameTimeoutNanos()) {
      log.debug("{}: a frame begun {} ms ago is still not complete", session, (now - partialSince) / 1_000_000);
      session.expire(CloseCause.TOO_SLOW);
      return;
    }
    if (!writesMoving(now)) {
      log.debug("{}: no write progress for {} ms", session, settings.writeTimeoutNanos() / 1_000_000);
      session.expire(CloseCause.WRITE_TIMEOUT);
      return;
    }
    if (session.isOpen() && now - lastHeartbeatNanos >= settings.heartbeatNanos()) {
      lastHeartbeatNanos = now;
      session.sendControlFrame(session.wire.heartbeat());
    }
    arm(now);
  }

  /** False when output has been pending without progress for the write timeout. */
  private boolean writesMoving(long now) {
    if (!session.hasPendingWrites()) {
      if (progress != null) {
        progress.stop();
      }
      return true;
    }
    if (progress == null || !progress.isWatching()) {
      startWatching(now);
      return true;
    }
    ChannelOutboundBuffer out = session.channel.unsafe().outboundBuffer();
    return progress.moving(now, out == null ? null : out.current(), out == null ? 0 : out.currentProgress(),
        session.server.settings().writeTimeoutNanos());
  }

  private void startWatching(long now) {
    if (progress == null) {
      progress = new WriteProgress();
    }
    ChannelOutboundBuffer out = session.channel.unsafe().outboundBuffer();
    progress.start(now, out == null ? null : out.current(), out == null ? 0 : out.currentProgress());
  }

  @Override
  public String toString() {
    return "deadlines of " + session;
  }

  /** The session ended: no deadline is left scheduled. */
  void cancel() {
    if (slot >= 0) {
      loopDeadlines().remove(this);
    }
    progress = null;
  }
}
