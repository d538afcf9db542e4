package dev.keel.session;

import dev.keel.config.RateLimitPolicy;
import dev.keel.spi.ConnectionInfo;
import dev.keel.limit.TokenBucket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One established connection, whatever its transport: its bounded outbound queue, its token bucket,
 * its deadlines, and the one place that ends it and releases what it held.
 *
 * <p><b>Threading:</b> a session belongs to its channel's event loop. Every method must be called on
 * that loop ({@link #eventLoop()}); code on other threads hops there with {@code eventLoop().execute}.
 * That is why nothing here is synchronized.
 *
 * <p><b>Timers:</b> one timer task per session, re-armed at the earliest of the idle, heartbeat,
 * handshake and write-progress deadlines, and cancelled when the session ends. No thread, and no
 * task survives the connection.
 */
public final class Session implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final long id;
  private final Channel channel;
  private final Wire wire;
  private final ServerContext server;
  private final Ticker ticker;
  private final ReadActivity activity;
  private final OutboundQueue queue;
  private final TokenBucket bucket;
  private final long openedNanos;
  private final SessionCounters.Transport transportStats;
  private final SessionSettings settings;
  private final Runnable tickTask = this::tick;

  private boolean established;
  /** The application's inbound queue is full (see {@link #pauseInbound}): read nothing more. */
  private boolean inboundPaused;
  private ArrayDeque<Inbound> pendingInbound;
  /**
   * Queued data messages that need more than a text frame: binary ones, and those whose writing a
   * caller waits for; by their sequence number in the queue, oldest first.
   */
  private ArrayDeque<Tracked> tracked;
  private ScheduledFuture<?> resumeFuture;
  private ScheduledFuture<?> timer;
  private long timerDeadline;
  private long lastHeartbeatNanos;
  /** Since when queued output has made no progress; -1 while nothing is pending. */
  private long stalledSince = -1;
  private Object stalledOn;
  private long stalledProgress;
  private boolean drainScheduled;
  private CloseCause closeReason;
  private boolean closeFrameSent;
  private ScheduledFuture<?> forceClose;
  private boolean ended;
  private Object attachment;
  private long messagesIn;
  private long messagesOut;
  private long lastWriteNanos;
  private long rateLimitedCount;
  /** Volatile: set on the event loop, read by application threads (Connection.principal()). */
  private volatile PeerIdentity identity;
  /** Queued bytes when the close began (what the close log reports; the queue is empty by the end). */
  private long queuedAtClose = -1;
  private int subscriptions;

  private record Inbound(byte[] payload, boolean binary) {}

  /** @param written completed when written, dropped or closed; null when nobody waits */
  private record Tracked(long seq, CompletableFuture<SendOutcome> written) {}

  private Session(Channel channel, Wire wire, ServerContext server, ReadActivity activity,
      boolean established) {
    SessionSettings c = server.settings();
    this.settings = c;
    this.id = server.sessions().nextId();
    this.channel = channel;
    this.wire = wire;
    this.server = server;
    this.ticker = channel.eventLoop().ticker();
    this.activity = activity;
    this.queue = new OutboundQueue(c.queueBytes(), c.queueMessages(), c.slowConsumerPolicy(),
        server.counters().queuedBytes);
    this.bucket = new TokenBucket(c.rateLimit(), c.rateBurst(), ticker);
    this.openedNanos = ticker.nanoTime();
    this.lastHeartbeatNanos = openedNanos;
    this.established = established;
    this.transportStats = server.counters().transport(wire.transport());
  }

  /**
   * Starts a session on an active channel whose {@code max-connections} slot is already reserved
   * ({@link Sessions#tryReserve()}): the slot is released when the session ends.
   *
   * @param established false for framed TCP, whose first frame must arrive within the handshake timeout
   */
  public static Session open(Channel channel, Wire wire, ServerContext server,
      ReadActivity activity, boolean established) {
    return open(channel, wire, server, activity, established, null);
  }

  /**
   * As {@link #open(Channel, Wire, ServerContext, ReadActivity, boolean)}, for a peer that already
   * proved who it is (a WebSocket upgrade carrying a valid token): the handler sees it in onOpen.
   */
  public static Session open(Channel channel, Wire wire, ServerContext server,
      ReadActivity activity, boolean established, PeerIdentity identity) {
    Session s = new Session(channel, wire, server, activity, established);
    s.identity = identity;
    server.sessions().added(s);
    s.transportStats.opened.increment();
    s.transportStats.live.increment();
    s.armTimer(s.openedNanos);
    try {
      server.handler().onOpen(s);
    } catch (RuntimeException e) {
      log.warn("connection {}: handler failed on open", s.id, e);
      s.close(CloseCause.ERROR);
    }
    return s;
  }

  public long id() {
    return id;
  }

  public String transport() {
    return wire.transport();
  }

  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** The allocator this connection's buffers come from. */
  public io.netty.buffer.ByteBufAllocator alloc() {
    return server.allocator();
  }

  /** State the application keeps for this connection; dropped with it. */
  @SuppressWarnings("unchecked")
  public <T> T attachment() {
    return (T) attachment;
  }

  public void attach(Object state) {
    attachment = state;
  }

  public boolean isOpen() {
    return closeReason == null && !ended;
  }

  public long queuedBytes() {
    return queue.bytes();
  }

  public int queuedMessages() {
    return queue.count();
  }

  public long drops() {
    return queue.drops();
  }

  public long messagesIn() {
    return messagesIn;
  }

  public long messagesOut() {
    return messagesOut;
  }

  /** Set by the application: how many topics this connection is subscribed to (for the ledger). */
  public void subscriptions(int count) {
    subscriptions = count;
  }

  /**
   * A consistent view of this connection for {@code /debug/connections}. Call on the event loop
   * (the ledger asks each loop for its own connections, so nothing is read across threads).
   */
  public ConnectionInfo describe() {
    long now = ticker.nanoTime();
    return new ConnectionInfo(id, transport(), String.valueOf(remoteAddress()),
        (now - openedNanos) / 1_000_000, subscriptions, queue.bytes(), queue.count(), messagesIn,
        messagesOut, queue.drops(), (now - activity.lastReadNanos()) / 1_000_000,
        lastWriteNanos == 0 ? -1 : (now - lastWriteNanos) / 1_000_000, rateLimitedCount, pendingInbound());
  }

  // ---------------------------------------------------------------- outbound

  /** How this connection's transport frames data: a broadcast frames its message once per wire. */
  public Wire wire() {
    return wire;
  }

  @Override
  public Framing framing() {
    return wire;
  }

  /**
   * Queues a data message (a published message) under the slow-consumer policy. {@code framed} is a
   * whole frame of this connection's {@link #wire()} ({@link Wire#dataFrame}) and may be shared with
   * other recipients: the caller keeps its reference, and the queue takes its own.
   */
  @Override
  public SendOutcome offer(ByteBuf framed) {
    if (closeReason != null || ended) {
      return SendOutcome.CLOSED;
    }
    switch (queue.offerData(framed)) {
      case QUEUED:
        scheduleDrain();
        return SendOutcome.QUEUED;
      case QUEUED_AFTER_DROPPING:
        server.counters().messagesDropped.add(queue.lastDropped());
        failLostWaiters(SendOutcome.DROPPED);
        scheduleDrain();
        return SendOutcome.QUEUED;
      case DROPPED:
        server.counters().messagesDropped.add(queue.lastDropped());
        return SendOutcome.DROPPED;
      case FULL:
      default:
        log.debug("{}: outbound queue full ({} bytes, {} messages)", this, queue.bytes(), queue.count());
        close(CloseCause.SLOW_CONSUMER);
        return SendOutcome.CLOSED;
    }
  }

  /**
   * Like {@link #offer(ByteBuf)}, for an application's message to this connection alone:
   * frames a copy of {@code payload} (the only copy it makes).
   *
   * @param binary a binary frame on WebSocket (framed TCP has only one kind of frame)
   * @param written if not null, completed with {@link SendOutcome#QUEUED} once the message has been
   *     written to the socket, or with DROPPED / CLOSED if it never will be
   */
  public SendOutcome send(byte[] payload, boolean binary, CompletableFuture<SendOutcome> written) {
    SendOutcome r;
    if (closeReason != null || ended) {
      r = SendOutcome.CLOSED;
    } else {
      ByteBuf frame = wire.dataFrame(server.allocator(), payload, binary);
      try {
        r = offer(frame);
      } finally {
        frame.release(); // the queue took its own reference
      }
    }
    if (r != SendOutcome.QUEUED) {
      if (written != null) {
        written.complete(r);
      }
      return r;
    }
    if (written != null) {
      if (tracked == null) {
        tracked = new ArrayDeque<>(2);
      }
      tracked.addLast(new Tracked(queue.tailSeq(), written));
    }
    return r;
  }

  /** Forgets tracked messages that left the queue without being written (dropped or released). */
  private void failLostWaiters(SendOutcome why) {
    Tracked t;
    while (tracked != null && (t = tracked.peekFirst()) != null && t.seq() < queue.headSeq()) {
      tracked.pollFirst();
      if (t.written() != null) {
        t.written().complete(why);
      }
    }
  }

  /** Queues a JSON reply or error (control: never dropped, written before data); takes ownership. */
  public void reply(ByteBuf json) {
    sendControlFrame(wire.frame(json));
  }

  /** Like {@link #reply}, in a binary frame on WebSocket; takes ownership. */
  public void replyBinary(ByteBuf payload) {
    sendControlFrame(wire.binaryFrame(payload));
  }

  /** Queues a transport control frame (e.g. a WebSocket pong); takes ownership. */
  public void sendControlFrame(Object frame) {
    if (ended || closeFrameSent) {
      ReferenceCountUtil.release(frame);
      return;
    }
    if (!queue.offerControl(frame)) {
      log.debug("{}: not reading its replies", this);
      close(CloseCause.SLOW_CONSUMER);
      return;
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (!drainScheduled) {
      drainScheduled = true;
      // Runs after the current read batch or fan-out task, with the loop's other sessions that have
      // output: one flush each for everything queued meanwhile.
      DrainBatch.schedule(this, channel.eventLoop());
    }
  }

  /** Writes what the channel will take now, control first, and flushes once. */
  void drain() {
    drainScheduled = false;
    if (ended || closeFrameSent) {
      return;
    }
    boolean wrote = false;
    while (channel.isWritable()) {
      Object frame = queue.pollControl();
      CompletableFuture<SendOutcome> written = null;
      if (frame == null) {
        long seq = queue.headSeq();
        ByteBuf data = queue.pollData();
        if (data == null) {
          break;
        }
        Tracked t = tracked != null && !tracked.isEmpty() && tracked.peekFirst().seq() == seq
            ? tracked.pollFirst() : null;
        frame = data; // already a whole frame (Wire#dataFrame): it passes any encoder untouched
        written = t == null ? null : t.written();
        messagesOut++;
      }
      if (written == null) {
        channel.write(frame, channel.voidPromise());
      } else {
        CompletableFuture<SendOutcome> w = written;
        channel.write(frame).addListener(f -> w.complete(f.isSuccess() ? SendOutcome.QUEUED : SendOutcome.CLOSED));
      }
      wrote = true;
    }
    if (wrote) {
      channel.flush();
      lastWriteNanos = ticker.nanoTime();
    }
    if (closeReason != null && queue.isEmpty()) {
      sendCloseFrame();
      return;
    }
    armWriteCheck();
  }

  /** Called by the transport when the channel's writability changes. */
  public void writabilityChanged() {
    if (channel.isWritable()) {
      drain();
    }
  }

  // ---------------------------------------------------------------- inbound

  /** One decoded inbound message, an exact-size copy. Applies the rate limit, then the handler. */
  public void onInbound(byte[] payload, boolean binary) {
    if (closeReason != null || ended) {
      return;
    }
    if (!server.authRequired() || identity != null) {
      established = true; // with authentication on, only a valid auth frame completes the handshake
    }
    if (inboundPaused || (pendingInbound != null && !pendingInbound.isEmpty())) {
      if (pendingInbound == null) {
        pendingInbound = new ArrayDeque<>(4);
      }
      pendingInbound.addLast(new Inbound(payload, binary)); // keep order behind what waits
      if (!inboundPaused) {
        server.counters().rateLimited.increment();
        rateLimitedCount++;
      }
      return;
    }
    if (bucket.tryTake()) {
      deliver(payload, binary);
      return;
    }
    server.counters().rateLimited.increment();
    rateLimitedCount++;
    if (settings.rateLimitPolicy() == RateLimitPolicy.DISCONNECT) {
      log.debug("{}: over the rate limit", this);
      close(CloseCause.RATE_LIMIT);
      return;
    }
    if (pendingInbound == null) {
      pendingInbound = new ArrayDeque<>(4);
    }
    pendingInbound.addLast(new Inbound(payload, binary));
    // Stop reading: the rest waits in the kernel, and TCP flow control slows the sender. What the
    // current read already decoded (at most one read's worth) waits in pendingInbound.
    channel.config().setAutoRead(false);
    scheduleResume();
  }

  /** A transport heartbeat from the peer (an empty TCP frame): activity, and a completed handshake. */
  public void onHeartbeat() {
    if (!server.authRequired() || identity != null) {
      established = true;
    }
  }

  /** Who this connection is, once proved (see {@link PeerIdentity}); null when authentication is off. */
  public PeerIdentity identity() {
    return identity;
  }

  /** Sets (or refreshes) who this connection is; the handshake is complete from now on. */
  public void identify(PeerIdentity proved) {
    identity = proved;
    established = true;
  }

  /** Whether inbound messages are waiting for tokens (reading is paused). */
  public boolean isThrottled() {
    return pendingInbound != null && !pendingInbound.isEmpty();
  }

  /**
   * The application cannot take more messages now (its inbound queue is full): stop reading the
   * socket, so TCP flow control pushes back on the sender. Messages the current read has already
   * decoded wait here, in order, until {@link #resumeInbound()}.
   */
  public void pauseInbound() {
    inboundPaused = true;
    channel.config().setAutoRead(false);
  }

  /** The application has room again: deliver what waits (within the rate limit), then read again. */
  public void resumeInbound() {
    if (!inboundPaused) {
      return;
    }
    inboundPaused = false;
    if (closeReason != null || ended) {
      return;
    }
    activity.touch(ticker.nanoTime());
    if (pendingInbound == null || pendingInbound.isEmpty()) {
      channel.config().setAutoRead(true);
    } else if (resumeFuture == null) {
      resume();
    }
  }

  /** Messages read but not yet handed to the handler (throttled, or behind a full inbound queue). */
  public int pendingInbound() {
    return pendingInbound == null ? 0 : pendingInbound.size();
  }

  private void scheduleResume() {
    long delay = bucket.nanosUntilNextToken();
    resumeFuture = channel.eventLoop().schedule(this::resume, Math.max(delay, 1), TimeUnit.NANOSECONDS); // rare: no field for it
  }

  private void resume() {
    resumeFuture = null;
    if (closeReason != null || ended) {
      return;
    }
    activity.touch(ticker.nanoTime());
    Inbound next;
    while (!inboundPaused && (next = pendingInbound.peekFirst()) != null && bucket.tryTake()) {
      pendingInbound.pollFirst();
      deliver(next.payload(), next.binary());
      if (closeReason != null) {
        return;
      }
    }
    if (pendingInbound.isEmpty()) {
      pendingInbound = null; // a throttled burst should not pin its deque's array
      if (!inboundPaused) {
        channel.config().setAutoRead(true);
      }
    } else if (!inboundPaused) {
      scheduleResume();
    } // else resumeInbound() takes over

  }

  private void deliver(byte[] payload, boolean binary) {
    messagesIn++;
    transportStats.received.increment();
    try {
      server.handler().onMessage(this, payload, binary);
    } catch (RuntimeException e) {
      log.warn("connection {}: handler failed on a message: closing", id, e);
      close(CloseCause.ERROR);
    }
  }

  // ---------------------------------------------------------------- timers

  private void armTimer(long now) {
    SessionSettings c = settings;
    long next = Math.min(activity.lastReadNanos() + c.idleNanos(), lastHeartbeatNanos + c.heartbeatNanos());
    if (!established) {
      next = Math.min(next, openedNanos + c.handshakeNanos());
    }
    if (stalledSince >= 0) {
      next = Math.min(next, now + writeCheckNanos());
    }
    scheduleTimer(now, next);
  }

  private void scheduleTimer(long now, long deadline) {
    if (timer != null) {
      if (timerDeadline <= deadline) {
        return; // fires soon enough; it re-arms for the rest
      }
      timer.cancel(false);
    }
    timerDeadline = deadline;
    timer = channel.eventLoop().schedule(tickTask, Math.max(deadline - now, 1), TimeUnit.NANOSECONDS);
  }

  private long writeCheckNanos() {
    return Math.max(1, settings.writeTimeoutNanos() / 4);
  }

  private void tick() {
    timer = null;
    if (ended || closeFrameSent) {
      return;
    }
    SessionSettings c = settings;
    long now = ticker.nanoTime();
    if (!established && now - openedNanos >= c.handshakeNanos()) {
      log.debug("connection {} ({}): no first frame within the handshake timeout", id, remoteAddress());
      expire(CloseCause.HANDSHAKE_TIMEOUT);
      return;
    }
    // While reading is paused for the application (its inbound queue is full), the peer's silence is
    // ours: the idle clock restarts when reading resumes.
    if (!inboundPaused && now - activity.lastReadNanos() >= c.idleNanos()) {
      log.debug("connection {} ({}): idle for {} ms: closing", id, remoteAddress(), c.idleNanos() / 1_000_000);
      expire(CloseCause.IDLE_TIMEOUT);
      return;
    }
    if (!checkWriteProgress(now)) {
      log.debug("{}: no write progress for {} ms", this, c.writeTimeoutNanos() / 1_000_000);
      expire(CloseCause.WRITE_TIMEOUT);
      return;
    }
    if (closeReason == null && now - lastHeartbeatNanos >= c.heartbeatNanos()) {
      lastHeartbeatNanos = now;
      sendControlFrame(wire.heartbeat());
    }
    armTimer(now);
  }

  /**
   * A deadline passed. During a drain (a shutdown flushing its queue) {@link #close} would do
   * nothing, so the drain is ended instead: the rest of the queue is discarded and the close frame sent.
   */
  private void expire(CloseCause reason) {
    if (closeReason != null) {
      queue.releaseData();
      failLostWaiters(SendOutcome.CLOSED);
      sendCloseFrame();
      return;
    }
    close(reason);
  }

  private void armWriteCheck() {
    if (stalledSince >= 0 || !hasPendingWrites()) {
      return;
    }
    long now = ticker.nanoTime();
    markProgress(now);
    scheduleTimer(now, now + writeCheckNanos());
  }

  private boolean hasPendingWrites() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return !queue.isEmpty() || (out != null && out.totalPendingWriteBytes() > 0);
  }

  /** Returns false when output has been pending without progress for the write timeout. */
  private boolean checkWriteProgress(long now) {
    if (!hasPendingWrites()) {
      stalledSince = -1;
      stalledOn = null;
      return true;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    Object current = out == null ? null : out.current();
    long progress = out == null ? 0 : out.currentProgress();
    // Progress: the message at the head of the channel buffer changed, or more of it was written.
    if (stalledSince < 0 || current != stalledOn || progress != stalledProgress) {
      markProgress(now);
      return true;
    }
    return now - stalledSince < settings.writeTimeoutNanos();
  }

  private void markProgress(long now) {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    stalledSince = now;
    stalledOn = out == null ? null : out.current();
    stalledProgress = out == null ? 0 : out.currentProgress();
  }

  // ---------------------------------------------------------------- closing

  /**
   * Ends the connection for {@code reason}. The peer is told why (WebSocket close code, or a TCP
   * {@code error} frame). A shutdown flushes queued data first; every other reason discards it.
   * Safe to call more than once: the first reason wins.
   */
  public void close(CloseCause reason) {
    if (closeReason != null || ended) {
      return;
    }
    closeReason = reason;
    queuedAtClose = queue.bytes();
    channel.config().setAutoRead(false);
    pendingInbound = null;
    if (resumeFuture != null) {
      resumeFuture.cancel(false);
      resumeFuture = null;
    }
    if (reason.flushesFirst()) {
      scheduleDrain(); // the close frame follows the last queued message
    } else {
      queue.releaseData();
      failLostWaiters(SendOutcome.CLOSED);
      sendCloseFrame();
    }
  }

  /** The peer sent a close (WebSocket close frame): answer it and close. */
  public void peerClosed() {
    close(CloseCause.CLIENT);
  }

  private void sendCloseFrame() {
    if (closeFrameSent) {
      return;
    }
    closeFrameSent = true;
    // Replies queued before the close still go first, whatever the writability: they are bounded.
    Object control;
    while ((control = queue.pollControl()) != null) {
      channel.write(control, channel.voidPromise());
    }
    queue.releaseAll();
    Object frame = channel.isActive() ? wire.closeFrame(closeReason) : null;
    if (frame == null) {
      channel.flush();
      channel.close();
      return;
    }
    // A peer that does not read will never take the close frame: close the socket anyway. Armed
    // before the write, which may close the channel and end the session (cancelling it) at once.
    forceClose = channel.eventLoop().schedule(() -> {
      forceClose = null;
      channel.close();
    }, settings.closeTimeoutNanos(), TimeUnit.NANOSECONDS);
    channel.writeAndFlush(frame).addListener(f -> {
      if (f.isSuccess() && channel instanceof DuplexChannel duplex) {
        // Half-close: the peer reads our goodbye, then end of stream, and closes its side (ended()
        // follows). Closing outright would answer anything it still sends with a reset, which can
        // destroy the goodbye in the peer's receive buffer before it is read.
        duplex.shutdownOutput();
      } else {
        channel.close();
      }
    });
    // Keep reading (and discarding: the session is closing) so that the final close is a FIN, not a
    // reset over unread bytes. Bounded by the close timeout above.
    channel.config().setAutoRead(true);
  }

  /**
   * The channel has closed: releases everything the session held and tells the handler, once.
   * Called by the transport from {@code channelInactive}.
   */
  public void ended() {
    if (ended) {
      return;
    }
    ended = true;
    if (closeReason == null) {
      closeReason = CloseCause.CLIENT;
    }
    cancel(timer);
    cancel(resumeFuture);
    cancel(forceClose);
    timer = null;
    resumeFuture = null;
    forceClose = null;
    stalledOn = null;
    pendingInbound = null;
    queue.releaseAll();
    if (tracked != null) {
      for (Tracked t : tracked) {
        if (t.written() != null) {
          t.written().complete(SendOutcome.CLOSED);
        }
      }
      tracked = null;
    }
    transportStats.closed(closeReason);
    transportStats.live.decrement();
    CloseLog.ended(this, closeReason, ticker.nanoTime() - openedNanos,
        queuedAtClose >= 0 ? queuedAtClose : queue.bytes());
    server.sessions().removed(this);
    try {
      server.handler().onClose(this, closeReason);
    } catch (RuntimeException e) {
      log.warn("connection {}: handler failed on close", id, e);
    }
    attachment = null;
  }

  /** Why the session closed or is closing; null while open. */
  public CloseCause closeReason() {
    return closeReason;
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "connection " + id + " (" + transport() + " " + remoteAddress() + ")";
  }
}
