package dev.keel.api;

import dev.keel.session.CloseCause;
import dev.keel.session.Held;
import dev.keel.session.PeerIdentity;
import dev.keel.session.SendOutcome;
import dev.keel.session.Session;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} and the serial runner of its handler calls.
 *
 * <p><b>Threads.</b> The event loop feeds it ({@link #received}, {@link #ended}); the handler runs
 * on a virtual thread started when there is work and ending when there is none, so one connection
 * costs a thread only while its handler has something to do. At most one runner exists at a time
 * (the {@code running} flag), which is what keeps calls serial and in order.
 *
 * <p><b>Inbound bound.</b> At most {@code inbound-queue-messages} messages wait here. The loop
 * pauses the session's reading when the queue reaches the bound; the runner asks the loop to
 * resume once it has drained to half.
 *
 * <p><b>Interrupts.</b> Each handler call has an id in {@code call}. Whoever interrupts it (the
 * end of the connection, the handler timeout) first claims that id by CAS, so an interrupt meant
 * for one call can never land in the next; the runner waits out a claimed interrupt before moving on.
 */
final class LiveConnection implements Connection, Runnable, Held {
  private static final Logger log = LoggerFactory.getLogger(LiveConnection.class);
  private static final VarHandle QUEUED;
  private static final VarHandle RUNNING;
  private static final VarHandle CALL;
  private static final VarHandle HELD;
  private static final VarHandle PUSHED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      QUEUED = l.findVarHandle(LiveConnection.class, "queued", int.class);
      RUNNING = l.findVarHandle(LiveConnection.class, "running", boolean.class);
      CALL = l.findVarHandle(LiveConnection.class, "call", long.class);
      HELD = l.findVarHandle(LiveConnection.class, "held", long.class);
      PUSHED = l.findVarHandle(LiveConnection.class, "pushed", Node.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // The session's id, transport and loop are read from it, not copied: fewer bytes per connection.
  private final Session session;
  private final HandlerBridge bridge;
  private final SocketAddress remoteAddress;
  /**
   * Made on first use: most handlers never fork or schedule, and 40 bytes on every idle connection
   * add up. Published before {@link #closedFor} is read, as {@link #ended} writes that before reading
   * this: a scope made as the connection ends is cancelled by one side or the other (or both: once).
   */
  private volatile ConnectionScope scope;
  /** Made on first use: most connections of most handlers never put anything here. */
  private volatile ConcurrentHashMap<String, Object> attributes;
  /** Topics subscribed through {@link Topics}, as {@link TopicSet} keeps them; on the event loop only. */
  Object topics;

  /**
   * The inbound queue, in two halves that hold nothing while it is empty (a queue object would cost
   * every idle connection 48 to 72 bytes): the loop pushes each message onto {@code pushed}, newest
   * first; the runner takes the whole stack at once, reverses it into {@code taken} (oldest first,
   * runner-only) and works through that before it takes again. One producer (the loop), so the push's
   * CAS only ever races the runner's take.
   */
  private volatile Node pushed;
  private Node taken;
  // Plain fields behind VarHandles, not Atomic* objects: 56 fewer bytes on every connection.
  private volatile int queued;
  /** What the inbound queue holds, as the memory budget counts it (bytes plus per-message overhead). */
  private volatile long held;
  private volatile boolean running;
  /** Set by the loop when it paused reading for a full queue; cleared by the loop on resume. */
  private volatile boolean paused;
  private volatile CloseReason closedFor;
  private volatile Thread runner;
  private volatile long call;
  private volatile boolean timedOut;
  // Runner-only state: successive runners see it through the `running` flag's happens-before.
  private boolean opened;
  private long calls;

  LiveConnection(Session session, HandlerBridge bridge) {
    this.session = session;
    this.bridge = bridge;
    this.remoteAddress = session.remoteAddress();
  }

  // ------------------------------------------------------------ fed by the event loop

  /** On the loop: one message from the socket. */
  void received(Message m) {
    long cost = cost(m);
    HELD.getAndAdd(this, cost);
    session.heldAbove(cost);
    push(m);
    int n = (int) QUEUED.getAndAdd(this, 1) + 1;
    bridge.noteQueued(n);
    if (n >= bridge.inboundBound && !paused) {
      paused = true;
      session.pauseInbound();
      if (queued <= bridge.inboundBound / 2) {
        resumeIfRoom(); // the runner drained it meanwhile and may not have seen `paused`
      }
    }
    startRunner();
  }

  /** On the loop: the connection has ended; the handler hears of it after its current call. */
  void ended(CloseReason reason) {
    closedFor = reason;
    ConnectionScope sc = scope;
    if (sc != null) {
      sc.cancel();
    }
    interruptCall(call, false);
    startRunner();
  }

  /** One queued message; the queue is a chain of these and nothing else. */
  private static final class Node {
    final Message message;
    Node next;

    Node(Message message, Node next) {
      this.message = message;
      this.next = next;
    }
  }

  /** On the loop: queues {@code m} behind everything queued before it. */
  private void push(Message m) {
    Node top;
    Node n = new Node(m, null);
    do {
      top = pushed;
      n.next = top;
    } while (!PUSHED.compareAndSet(this, top, n));
  }

  /** On the runner: the oldest queued message, or null when none is queued. */
  private Message poll() {
    Node n = taken;
    if (n == null) {
      Node stack = (Node) PUSHED.getAndSet(this, (Node) null);
      // Newest first as pushed: reversed, the oldest comes first.
      while (stack != null) {
        Node next = stack.next;
        stack.next = n;
        n = stack;
        stack = next;
      }
      if (n == null) {
        return null;
      }
    }
    taken = n.next;
    return n.message;
  }

  private static long cost(Message m) {
    return m.size() + (long) Session.MESSAGE_OVERHEAD;
  }

  @Override
  public long heldBytes() {
    return held;
  }

  private void resumeIfRoom() {
    if (paused && queued < bridge.inboundBound) {
      paused = false;
      session.resumeInbound();
    }
  }

  void startRunner() {
    if (RUNNING.compareAndSet(this, false, true)) {
      bridge.live.start("keel-handler-" + session.id(), this);
    }
  }

  // ------------------------------------------------------------ the runner (a virtual thread)

  @Override
  public void run() {
    runner = Thread.currentThread();
    while (true) {
      if (!opened) {
        opened = true;
        if (closedFor == null) {
          invoke(null);
        }
        continue;
      }
      CloseReason reason = closedFor;
      if (reason != null) {
        finish(reason); // `running` stays set: no runner ever starts again
        runner = null;
        return;
      }
      Message m = poll();
      if (m == null) {
        runner = null; // an idle connection keeps no (finished) thread object reachable
        running = false;
        // Re-check: work that arrived after the poll found `running` still set and started no one.
        if ((pushed == null && closedFor == null) || !RUNNING.compareAndSet(this, false, true)) {
          return;
        }
        runner = Thread.currentThread();
        continue;
      }
      long cost = cost(m);
      HELD.getAndAdd(this, -cost);
      session.heldAbove(-cost);
      int n = (int) QUEUED.getAndAdd(this, -1) - 1;
      if (paused && n <= bridge.inboundBound / 2) {
        onLoop(this::resumeIfRoom);
      }
      invoke(m);
    }
  }

  /** One handler call ({@code m == null}: onOpen), interruptible by close and by the timeout. */
  private void invoke(Message m) {
    long callId = ++calls;
    call = callId;
    ScheduledFuture<?> timer = null;
    try {
      if (closedFor != null) {
        return; // ended just now: do not start a call that would be interrupted at once
      }
      if (bridge.handlerTimeoutNanos > 0) {
        timer = session.eventLoop().schedule(() -> interruptCall(callId, true), bridge.handlerTimeoutNanos, TimeUnit.NANOSECONDS);
      }
      if (m == null) {
        bridge.handler.onOpen(this);
      } else {
        bridge.handler.onMessage(this, m);
      }
    } catch (Throwable e) { // even a StackOverflowError must not kill the runner: onClose must still run
      if (closedFor == null) {
        log.warn("connection {} ({}): handler failed on {}{}: closing", session.id(), remoteAddress,
            m == null ? "open" : "a message", timedOut ? " after handler-timeout interrupted it" : "", e);
        onLoop(() -> session.close(CloseCause.ERROR));
      } else {
        log.debug("connection {}: handler call ended by the close: {}", session.id(), e.toString());
      }
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
      if (!CALL.compareAndSet(this, callId, 0L)) {
        // An interrupt was claimed for this call: wait until it has been delivered (the claimer
        // resets `call` right after interrupting; a few instructions), then clear it below.
        while (call == -callId) {
          Thread.yield(); // lets the carrier run other virtual threads meanwhile
        }
      }
      if (timedOut) {
        timedOut = false;
        log.warn("connection {} ({}): a handler call ran past handler-timeout ({} ms) and was interrupted",
            session.id(), remoteAddress, TimeUnit.NANOSECONDS.toMillis(bridge.handlerTimeoutNanos));
      }
      Thread.interrupted(); // whatever the handler did to its own flag ends with its call
    }
  }

  /** Interrupts handler call {@code callId} if it is still running; true if this did it. */
  private boolean interruptCall(long callId, boolean forTimeout) {
    if (callId > 0 && CALL.compareAndSet(this, callId, -callId)) {
      try {
        if (forTimeout) {
          timedOut = true; // before the runner can move on (it waits for `call` to change)
        }
        runner.interrupt();
      } finally {
        call = 0; // delivered: the runner may go on
      }
      return true;
    }
    return false;
  }

  private void finish(CloseReason reason) {
    taken = null;
    PUSHED.getAndSet(this, (Node) null);
    queued = 0;
    session.heldAbove(-(long) HELD.getAndSet(this, 0L));
    try {
      bridge.handler.onClose(this, reason);
    } catch (Throwable e) {
      log.warn("connection {}: handler failed on close", session.id(), e);
    } finally {
      Thread.interrupted();
      ConcurrentHashMap<String, Object> a = attributes;
      if (a != null) {
        a.clear();
      }
      bridge.live.connections.decrementAndGet();
    }
  }

  // ------------------------------------------------------------ Connection

  @Override
  public long id() {
    return session.id();
  }

  @Override
  public String transport() {
    return session.transport();
  }

  @Override
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Principal principal() {
    PeerIdentity id = session.identity(); // volatile: set on the loop, read here
    // Made per call rather than kept: a field would cost every connection, and this is rarely called.
    return id == null ? null : new Principal(id.subject(), id.expiresAt(), id::maySubscribe, id::mayPublish);
  }

  @Override
  public boolean isOpen() {
    return closedFor == null && onLoop(session::isOpen, false);
  }

  @Override
  public SendResult send(String text) {
    return send(text.getBytes(StandardCharsets.UTF_8), false);
  }

  @Override
  public SendResult send(byte[] payload) {
    return send(payload.clone(), true); // the caller may reuse its array before the loop copies it
  }

  private SendResult send(byte[] payload, boolean binary) {
    if (closedFor != null) {
      return SendResult.CLOSED;
    }
    return onLoop(() -> HandlerBridge.result(session.send(payload, binary, null)), SendResult.CLOSED);
  }

  @Override
  public SendResult reply(String text) {
    return reply(text.getBytes(StandardCharsets.UTF_8), false);
  }

  @Override
  public SendResult reply(byte[] payload) {
    return reply(payload.clone(), true);
  }

  private SendResult reply(byte[] payload, boolean binary) {
    if (closedFor != null) {
      return SendResult.CLOSED;
    }
    return onLoop(() -> {
      if (!session.isOpen()) {
        return SendResult.CLOSED;
      }
      session.reply(session.alloc().buffer(payload.length, payload.length).writeBytes(payload), binary);
      return session.isOpen() ? SendResult.QUEUED : SendResult.CLOSED;
    }, SendResult.CLOSED);
  }

  @Override
  public void sendAndAwait(String text, Duration timeout)
      throws InterruptedException, TimeoutException, SendFailedException {
    if (closedFor != null) {
      throw new SendFailedException(SendResult.CLOSED);
    }
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    CompletableFuture<SendOutcome> written = new CompletableFuture<>();
    if (!onLoop(() -> session.send(payload, false, written))) {
      throw new SendFailedException(SendResult.CLOSED);
    }
    SendResult r;
    try {
      r = HandlerBridge.result(written.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    if (r != SendResult.QUEUED) {
      throw new SendFailedException(r);
    }
  }

  @Override
  public Scope scope() {
    ConnectionScope s = scope;
    if (s == null) {
      synchronized (this) {
        s = scope;
        if (s == null) {
          s = new ConnectionScope(session.id(), session.eventLoop(), bridge.live);
          scope = s;
        }
      }
      if (closedFor != null) {
        s.cancel(); // ended meanwhile, perhaps before it could see this scope
      }
    }
    return s;
  }

  @Override
  public ConcurrentMap<String, Object> attributes() {
    ConcurrentHashMap<String, Object> a = attributes;
    if (a == null) {
      synchronized (this) {
        a = attributes;
        if (a == null) {
          a = new ConcurrentHashMap<>(4);
          attributes = a;
        }
      }
    }
    return a;
  }

  @Override
  public void close() {
    onLoop(() -> session.close(CloseCause.CLIENT));
  }

  Session session() {
    return session;
  }

  int queuedInbound() {
    return queued;
  }

  /** Runs {@code task} on the loop without waiting; false if the loop has stopped. */
  boolean onLoop(Runnable task) {
    return LoopHop.run(session.eventLoop(), task);
  }

  /** Runs {@code task} on the loop and waits for its result (see {@link LoopHop#call}). */
  <T> T onLoop(Supplier<T> task, T ifStopped) {
    return LoopHop.call(session.eventLoop(), task, ifStopped, this);
  }

  @Override
  public String toString() {
    return "connection " + session.id() + " (" + session.transport() + " " + remoteAddress + ")";
  }
}
