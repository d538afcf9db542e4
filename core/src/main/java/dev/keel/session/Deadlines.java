package dev.keel.session;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's deadlines on one timer: the handshake (first frame), the idle timeout (no inbound byte),
 * the heartbeat it owes the peer, the frame timeout (a frame begun must finish), and the write-progress
 * check. The timer is one task on the
 * connection's event loop, re-armed at the earliest deadline and cancelled when the session ends: no
 * thread and no task outlives the connection. This object is that task (no lambda per session).
 *
 * <p>Loop-confined, like its session.
 */
final class Deadlines implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

  private final Session session;
  private ScheduledFuture<?> timer;
  private long timerDeadline;
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
    if (timer != null) {
      if (timerDeadline <= deadline) {
        return; // fires soon enough; it re-arms for the rest
      }
      timer.cancel(false);
    }
    timerDeadline = deadline;
    timer = session.eventLoop().schedule(this, Math.max(deadline - now, 1), TimeUnit.NANOSECONDS);
  }

  private long writeCheckNanos() {
    return Math.max(1, session.server.settings().writeTimeoutNanos() / 4);
  }

  /** The timer fired. */
  @Override
  public void run() {
    timer = null;
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

  /** The session ended: no deadline is left scheduled. */
  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    progress = null;
  }
}
