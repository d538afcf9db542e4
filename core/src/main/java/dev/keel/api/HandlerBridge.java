package dev.keel.api;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.fanout.TopicRegistry;
import dev.keel.session.CloseCause;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.SendOutcome;
import dev.keel.session.Session;

/**
 * Runs a {@link Handler} off the event loops: the connection layer calls this on the loop, and it
 * only queues work for the connection's runner ({@link LiveConnection}), never blocks. Runners are
 * started by a {@link Spawner}: virtual threads in a server, a queue the test drains by hand under
 * {@code EmbeddedChannel}, so the deterministic tests drive this same code.
 */
final class HandlerBridge implements ConnectionHandler {
  /** Starts a named runner; a server's starts a virtual thread. */
  @FunctionalInterface
  interface Spawner {
    void start(String name, Runnable body);
  }

  static final Spawner VIRTUAL_THREADS = (name, body) -> Thread.ofVirtual().name(name).start(body);

  private static final CloseReason[] REASONS = new CloseReason[CloseCause.values().length];
  private static final SendResult[] RESULTS = new SendResult[SendOutcome.values().length];

  static {
    for (CloseCause c : CloseCause.values()) {
      REASONS[c.ordinal()] = CloseReason.valueOf(c.name());
    }
    for (SendOutcome o : SendOutcome.values()) {
      RESULTS[o.ordinal()] = SendResult.valueOf(o.name());
    }
  }

  /** The API's name for a connection-layer close cause. */
  static CloseReason reason(CloseCause cause) {
    return REASONS[cause.ordinal()];
  }

  /** The API's name for a connection-layer send outcome. */
  static SendResult result(SendOutcome outcome) {
    return RESULTS[outcome.ordinal()];
  }

  final Handler handler;
  final Live live;
  final int inboundBound;
  final long handlerTimeoutNanos;
  private final TopicRegistry registry;
  /** The most messages any connection's inbound queue has held (for tests and diagnostics). */
  private volatile int inboundHighWater;

  HandlerBridge(Handler handler, KeelConfig config, TopicRegistry registry, Live live, Spawner spawner) {
    this.handler = handler;
    this.live = live.spawner(spawner);
    this.inboundBound = config.get(CoreOptions.INBOUND_QUEUE_MESSAGES);
    this.handlerTimeoutNanos = config.get(CoreOptions.HANDLER_TIMEOUT).toNanos();
    this.registry = registry;
  }

  @Override
  public void onOpen(Session session) {
    live.connections.incrementAndGet();
    LiveConnection c = new LiveConnection(session, this);
    session.attach(c);
    c.startRunner(); // its first call is onOpen
  }

  @Override
  public void onMessage(Session session, byte[] payload, boolean binary) {
    LiveConnection c = session.attachment();
    c.received(new Message(payload, binary));
  }

  @Override
  public void onClose(Session session, CloseCause cause) {
    LiveConnection c = session.attachment();
    for (String topic : TopicSet.toList(c.topics)) {
      registry.unsubscribe(topic, session);
    }
    c.topics = null;
    c.ended(reason(cause));
  }

  void noteQueued(int n) {
    if (n > inboundHighWater) {
      inboundHighWater = n; // written by event loops only; a lost race loses a tie, not a bound
    }
  }

  int inboundHighWater() {
    return inboundHighWater;
  }
}
