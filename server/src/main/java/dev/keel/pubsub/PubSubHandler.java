package dev.keel.pubsub;

import dev.keel.session.CloseReason;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.Session;
import java.util.HashSet;
import java.util.Set;

/**
 * Keel's built-in application: the pub/sub protocol of docs/protocol.md on top of the connection
 * layer. Runs on the connection's event loop and never blocks: publishing hands the message to the
 * topic registry, which fans it out asynchronously.
 */
public final class PubSubHandler implements ConnectionHandler {
  private final TopicRegistry topics;
  private final int maxSubscriptions;

  public PubSubHandler(TopicRegistry topics, int maxSubscriptions) {
    this.topics = topics;
    this.maxSubscriptions = maxSubscriptions;
  }

  @Override
  public void onOpen(Session session) {
    session.attach(new HashSet<String>(4));
  }

  @Override
  public void onMessage(Session session, byte[] payload, boolean binary) {
    if (binary) {
      session.reply(Protocol.error(session.alloc(), "unsupported",
          "binary frames are not supported: send one JSON object per text frame", null));
      return;
    }
    Protocol.Request r;
    try {
      r = Protocol.parse(payload);
    } catch (ProtocolException e) {
      session.reply(Protocol.error(session.alloc(), e.code(), e.getMessage(), e.id()));
      return;
    }
    Set<String> subs = session.attachment();
    switch (r.op()) {
      case "sub" -> {
        if (!subs.contains(r.topic())) {
          if (subs.size() >= maxSubscriptions) {
            session.reply(Protocol.error(session.alloc(), "limit_exceeded",
                "subscription limit reached (max-subscriptions = " + maxSubscriptions + ")", r.id()));
            return;
          }
          subs.add(r.topic());
          topics.subscribe(r.topic(), session);
          session.subscriptions(subs.size());
        }
        session.reply(Protocol.reply(session.alloc(), "subscribed", r.topic(), null, r.id()));
      }
      case "unsub" -> {
        if (subs.remove(r.topic())) {
          topics.unsubscribe(r.topic(), session);
          session.subscriptions(subs.size());
        }
        session.reply(Protocol.reply(session.alloc(), "unsubscribed", r.topic(), null, r.id()));
      }
      case "pub" -> {
        topics.publish(r.topic(), Protocol.compact(r.data()), null);
        if (r.id() != null) {
          session.reply(Protocol.reply(session.alloc(), "ok", null, null, r.id()));
        }
      }
      case "echo" -> session.reply(Protocol.reply(session.alloc(), "echo", null, r.data(), r.id()));
      case "ping" -> session.reply(Protocol.reply(session.alloc(), "pong", null, null, r.id()));
      default -> throw new IllegalStateException("parse() admitted op " + r.op());
    }
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    Set<String> subs = session.attachment();
    if (subs != null) {
      for (String topic : subs) {
        topics.unsubscribe(topic, session);
      }
      subs.clear();
    }
  }
}
