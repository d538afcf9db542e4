package dev.keel.session;

import dev.keel.limit.MemoryBudget;
import dev.keel.spi.ConnectionInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One established connection, whatever its transport: who it is, where it is in its life, and the
 * surface the transports and the layers above call. Its parts do the work: the outbound path
 * ({@link Outbound}), the inbound gate ({@link InboundGate}: rate limit, sole owner of {@code autoRead}),
 * the deadlines ({@link Deadlines}) and, once it closes, {@link Closing}. {@link #ended()} is the one
 * place that releases what it held.
 *
 * <p><b>Life:</b> {@link State#OPEN}; then {@link State#DRAINING} (a shutdown flushing its queue) or
 * straight to {@link State#CLOSING} (the goodbye is sent); then {@link State#ENDED} once the channel
 * has closed, whatever the cause (a peer's reset ends an open session directly).
 *
 * <p><b>Threading:</b> a session belongs to its channel's event loop. Every method must be called on
 * that loop ({@link #eventLoop()}); code on other threads hops there with {@code eventLoop().execute}.
 * That is why nothing here is synchronized. Only {@link #identity()} is read from other threads.
 */
public final class Session implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  /** Where a session is in its life (see the class comment). */
  enum State { OPEN, DRAINING, CLOSING, ENDED }

  private final long id;
  final Channel channel;
  final Wire wire;
  final ServerContext server;
  private final Ticker ticker;
  final ReadActivity activity;
  final Outbound outbound;
  final InboundGate gate;
  final Deadlines deadlines;
  final long openedNanos;
  final SessionCounters.Transport transportStats;

  private State state = State.OPEN;
  /** Made when the close begins; null while open. */
  private Closing closing;
  boolean established;
  private boolean drainScheduled;
  Object attachment;
  /** Volatile: set on the event loop, read by application threads (Connection.principal()). */
  private volatile PeerIdentity identity;
  int subscriptions;

  private Session(long id, Channel channel, Wire wire, ServerContext server, ReadActivity activity,
      boolean established) {
    this.id = id;
    this.channel = channel;
    this.wire = wire;
    this.server = server;
    this.ticker = channel.eventLoop().ticker();
    this.activity = activity;
    this.outbound = new Outbound(server);
    this.gate = new InboundGate(this);
    this.openedNanos = ticker.nanoTime();
    this.deadlines = new Deadlines(this, openedNanos);
    activity.session(this);
    // The idle clock starts at the session at the latest: a WebSocket's HTTP upgrade was read by the
    // HTTP stage, which keeps its own clocks and does not tell the activity.
    activity.touch(openedNanos);
    this.established = established;
    this.transportStats = server.counters().transport(wire.transport());
  }

  /**
   * Starts a session on an active channel whose {@code max-connections} slot is already reserved
   * ({@link Sessions#reserve()}): the slot is released when the session ends.
   *
   * @param id what {@link Sessions#reserve()} returned for this connection
   * @param established false for framed TCP, whose first frame must arrive within the handshake timeout
   * @param identity who the peer is when its handshake already proved it (a WebSocket upgrade with a
   *     valid token: the handler sees it in onOpen), else null
   */
  public static Session open(long id, Channel channel, Wire wire, ServerContext server, ReadActivity activity,
      boolean established, PeerIdentity identity) {
    Session s = new Session(id, channel, wire, server, activity, established);
    s.identity = identity;
    server.sessions().added(s);
    s.transportStats.opened.increment();
    s.transportStats.live.increment();
    s.deadlines.arm(s.openedNanos);
    try {
      server.handler().onOpen(s);
    } catch (RuntimeException e) {
      log.warn("{}: handler failed on open", s, e);
      s.close(CloseCause.ERROR);
    }
    return s;
  }

  // ---------------------------------------------------------------- identity

  public long id() {
    return id;
  }

  /** The clock of its event loop (a test's, on an {@code EmbeddedChannel}). */
  Ticker ticker() {
    return ticker;
  }

  /** {@code ws} or {@code tcp}: the label used in logs and metrics. */
  public String transport() {
    return wire.transport();
  }

  public SocketAddress remoteAddress() {
    return ClientAddress.of(channel); // the client's, when it came through a trusted proxy
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** The allocator this connection's buffers come from. */
  public ByteBufAllocator alloc() {
    return server.allocator();
  }

  /** State the layer above keeps for this connection; dropped with it. */
  @SuppressWarnings("unchecked")
  public <T> T attachment() {
    return (T) attachment;
  }

  public void attach(Object state) {
    attachment = state;
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

  /** False once the connection is closing or closed. */
  public boolean isOpen() {
    return state == State.OPEN;
  }

  /**
   * The memory budget's stage has ended (on this connection's loop): reading resumes if the stage
   * paused it. While the stage is above normal, a connection that sends a message pauses its own
   * reading after it ({@link InboundGate}).
   */
  public void overloadEnded() {
    gate.overloaded(false);
  }

  /** What the memory budget counts per held message beside its bytes (see {@link MemoryBudget#ENTRY_OVERHEAD}). */
  public static final int MESSAGE_OVERHEAD = MemoryBudget.ENTRY_OVERHEAD;

  /**
   * The layer above holds {@code bytes} more (or fewer, if negative) for this connection: messages in
   * its handler's queue. Charged to the memory budget; any thread may call.
   */
  public void heldAbove(long bytes) {
    server.budget().charge(MemoryBudget.Kind.INBOUND, bytes);
  }

  /** What this connection makes the server hold, as the memory budget counts it (see {@link Holdings}). */
  public long accountedBytes() {
    return Holdings.accounted(this);
  }

  /**
   * Set by the layer above: how many topics this connection is subscribed to (for the ledger), each
   * charged to the memory budget ({@link MemoryBudget#SUBSCRIPTION_COST}) while the connection lives.
   */
  public void subscriptions(int count) {
    if (state != State.ENDED) { // once ended, ended() has released them all
      server.budget().charge(MemoryBudget.Kind.CONNECTIONS, (long) (count - subscriptions) * MemoryBudget.SUBSCRIPTION_COST);
    }
    subscriptions = count;
  }

  /**
   * A consistent view of this connection for {@code /debug/connections}. Call on the event loop
   * (the ledger asks each loop for its own connections, so nothing is read across threads).
   */
  public ConnectionInfo describe() {
    return Holdings.describe(this, ticker.nanoTime());
  }

  // ---------------------------------------------------------------- outbound

  @Override
  public Framing framing() {
    return wire;
  }

  @Override
  public boolean hasRoom(int messages, long bytes) {
    return outbound.hasRoom(messages, bytes);
  }

  @Override
  public SendOutcome offer(ByteBuf framed, Object topic) {
    if (state != State.OPEN) {
      return SendOutcome.CLOSED;
    }
    SendOutcome r = outbound.offer(framed, topic, !channel.isWritable(), server.counters().messagesDropped);
    if (r == SendOutcome.QUEUED) {
      scheduleDrain();
    } else if (r == SendOutcome.CLOSED) { // full under the disconnect policy
      log.debug("{}: outbound queue full ({} bytes, {} messages)", this, outbound.bytes(), outbound.count());
      close(CloseCause.SLOW_CONSUMER);
    }
    return r;
  }

  /**
   * Like {@link #offer(ByteBuf, Object)}, for an application's message to this connection alone: frames a
   * copy of {@code payload} (the only copy it makes).
   *
   * @param binary a binary frame on WebSocket (framed TCP has only one kind of frame)
   * @param written if not null, completed with {@link SendOutcome#QUEUED} once the message has been
   *     written to the socket, or with DROPPED / CLOSED if it never will be
   */
  public SendOutcome send(byte[] payload, boolean binary, CompletableFuture<SendOutcome> written) {
    SendOutcome r;
    if (state != State.OPEN) {
      r = SendOutcome.CLOSED;
    } else {
      ByteBuf frame = wire.dataFrame(server.allocator(), payload, binary);
      try {
        r = offer(frame, null);
      } finally {
        frame.release(); // the queue took its own reference
      }
    }
    if (written != null) {
      if (r == SendOutcome.QUEUED) {
        outbound.track(written);
      } else {
        written.complete(r);
      }
    }
    return r;
  }

  /** Queues a JSON reply or error (control: never dropped, written before data); takes ownership. */
  public void reply(ByteBuf json) {
    reply(json, false);
  }

  /** Like {@link #reply(ByteBuf)}; {@code binary}: a binary frame on WebSocket. Takes ownership. */
  public void reply(ByteBuf payload, boolean binary) {
    sendControlFrame(binary ? wire.binaryFrame(payload) : wire.frame(payload));
  }

  /** Queues a transport control frame (e.g. a WebSocket pong); takes ownership. */
  public void sendControlFrame(Object frame) {
    if (state == State.CLOSING || state == State.ENDED) {
      ReferenceCountUtil.release(frame);
      return;
    }
    if (!outbound.offerControl(frame)) {
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
    if (state == State.CLOSING || state == State.ENDED) {
      return;
    }
    long now = ticker.nanoTime();
    outbound.drainTo(channel, now);
    if (state == State.DRAINING && outbound.isEmpty()) {
      sendGoodbye();
      return;
    }
    deadlines.watchWrites(now);
  }

  /** Called by the transport when the channel's writability changes. */
  public void writabilityChanged() {
    outbound.recount(channel);
    if (channel.isWritable()) {
      drain();
    }
  }

  /** Whether output waits here or in the channel's buffer. */
  boolean hasPendingWrites() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return !outbound.isEmpty() || (out != null && out.totalPendingWriteBytes() > 0);
  }

  // ---------------------------------------------------------------- inbound

  /** One decoded inbound message, an exact-size copy. Applies the rate limit, then the handler. */
  public void onInbound(byte[] payload, boolean binary) {
    if (state != State.OPEN) {
      return;
    }
    onHeartbeat();
    gate.offer(payload, binary);
  }

  /** A transport heartbeat from the peer (an empty TCP frame): activity, and a completed handshake. */
  public void onHeartbeat() {
    // With authentication on, only a valid auth frame completes the handshake (identify()).
    established |= !server.authRequired() || identity != null;
  }

  /**
   * The application cannot take more messages now (its inbound queue is full): stop reading the
   * socket, so TCP flow control pushes back on the sender. Messages the current read has already
   * decoded wait, in order, until {@link #resumeInbound()}.
   */
  public void pauseInbound() {
    gate.holdForApplication();
  }

  /** The application has room again: deliver what waits (within the rate limit), then read again. */
  public void resumeInbound() {
    gate.releaseForApplication();
  }

  // ---------------------------------------------------------------- what the deadlines read

  /** Open or draining: its deadlines still matter. */
  boolean isLive() {
    return state == State.OPEN || state == State.DRAINING;
  }

  /**
   * A deadline passed. During a drain (a shutdown flushing its queue) {@link #close} would do
   * nothing, so the drain is ended instead: the rest of the queue is discarded and the goodbye sent.
   */
  void expire(CloseCause reason) {
    if (state == State.DRAINING) {
      outbound.releaseData();
      outbound.failLost(SendOutcome.CLOSED);
      sendGoodbye();
      return;
    }
    close(reason);
  }

  // ---------------------------------------------------------------- closing

  /**
   * Ends the connection for {@code reason}. The peer is told why (WebSocket close code, or a TCP
   * {@code error} frame). A shutdown flushes queued data first; every other reason discards it.
   * Safe to call more than once: the first reason wins.
   */
  public void close(CloseCause reason) {
    if (state != State.OPEN) {
      return;
    }
    closing = new Closing(reason, outbound.bytes());
    gate.closing();
    if (reason.flushesFirst()) {
      state = State.DRAINING;
      scheduleDrain(); // the goodbye follows the last queued message
    } else {
      outbound.releaseData();
      outbound.failLost(SendOutcome.CLOSED);
      sendGoodbye();
    }
  }

  /** Null while open; once the close has begun, its reason's label (for the connection ledger). */
  String closingLabel() {
    return closing == null ? null : closing.cause.label();
  }

  private void sendGoodbye() {
    if (state == State.CLOSING || state == State.ENDED) {
      return;
    }
    state = State.CLOSING;
    closing.sendGoodbye(channel, wire, outbound, gate, server.settings().closeTimeoutNanos());
  }

  /**
   * The channel has closed: releases everything the session held and tells the handler, once.
   * Called by the transport from {@code channelInactive}.
   */
  public void ended() {
    if (state == State.ENDED) {
      return;
    }
    state = State.ENDED;
    server.budget().release(MemoryBudget.Kind.CONNECTIONS, (long) subscriptions * MemoryBudget.SUBSCRIPTION_COST);
    if (closing == null) {
      closing = new Closing(CloseCause.CLIENT, outbound.bytes()); // the peer ended it
    }
    closing.ended();
    deadlines.cancel();
    gate.ended();
    outbound.releaseAll();
    outbound.channelGone();
    outbound.failAll(SendOutcome.CLOSED);
    CloseCause cause = closing.cause;
    transportStats.closed(cause);
    transportStats.live.decrement();
    CloseLog.ended(this, cause, ticker.nanoTime() - openedNanos, closing.queuedAtStart);
    server.sessions().removed(this);
    try {
      server.handler().onClose(this, cause);
    } catch (RuntimeException e) {
      log.warn("{}: handler failed on close", this, e);
    }
    attachment = null;
  }

  @Override
  public String toString() {
    return "connection " + id + " (" + transport() + " " + remoteAddress() + ")";
  }
}
