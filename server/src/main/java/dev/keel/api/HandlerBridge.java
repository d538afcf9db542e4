package dev.keel.api;

import dev.keel.config.KeelConfig;
import dev.keel.pubsub.TopicRegistry;
import dev.keel.session.CloseReason;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.Session;

/**
 * Runs a {@link Handler} off the event loops: the connection layer calls this on the loop, and it
 * only queues work for the connection's virtual-thread runner ({@link LiveConnection}), never blocks.
 */
final class HandlerBridge implements ConnectionHandler {
  final Handler handler;
  final Live live;
  final int inboundBound;
  final long handlerTimeoutNanos;
  private final TopicRegistry registry;
  /** The most messages any connection's inbound queue has held (for tests and diagnostics). */
  private volatile int inboundHighWater;

  HandlerBridge(Handler handler, KeelConfig config, TopicRegistry registry, Live live) {
    this.handler = handler;
    this.live = live;
    this.inboundBound = config.inboundQueueMessages();
    this.handlerTimeoutNanos = config.handlerTimeout().toNanos();
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
  public void onClose(Session session, CloseReason reason) {
    LiveConnection c = session.attachment();
    for (String topic : c.topics.toList()) {
      registry.unsubscribe(topic, session);
    }
    c.topics.clear();
    c.ended(reason);
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
