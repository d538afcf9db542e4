package dev.keel.pubsub;

import dev.keel.auth.Principal;
import dev.keel.session.CloseReason;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashSet;
import java.util.Set;

/**
 * The pub/sub protocol run directly on the connection's event loop, for unit tests on
 * {@code EmbeddedChannel} (where time and tasks move by hand). The server itself runs the same
 * protocol as an embedding-API handler, {@link PubSubService}. Never blocks: publishing hands the
 * message to the topic registry, which fans it out asynchronously.
 */
public final class PubSubHandler implements ConnectionHandler {
  private final TopicRegistry topics;
  private final int maxSubscriptions;

  public PubSubHandler(TopicRegistry topics, int maxSubscriptions) {
    this.topics = topics;
    this.maxSubscriptions = maxSubscriptions;
  }

  /** One connection's subscriptions; the session's attachment, owned by its event loop. */
  private final class LoopPeer implements PubSubProtocol.Peer {
    final Session session;
    final Set<String> subs = new HashSet<>(4);

    LoopPeer(Session session) {
      this.session = session;
    }

    @Override
    public ByteBufAllocator alloc() {
      return session.alloc();
    }

    @Override
    public Principal principal() {
      return session.principal();
    }

    @Override
    public void reply(ByteBuf json) {
      session.reply(json);
    }

    @Override
    public boolean subscribe(String topic) {
      if (!subs.contains(topic)) {
        if (subs.size() >= maxSubscriptions) {
          return false;
        }
        subs.add(topic);
        topics.subscribe(topic, session);
        session.subscriptions(subs.size());
      }
      return true;
    }

    @Override
    public void unsubscribe(String topic) {
      if (subs.remove(topic)) {
        topics.unsubscribe(topic, session);
        session.subscriptions(subs.size());
      }
    }

    @Override
    public String publish(String topic, byte[] data, boolean confirm) {
      topics.publish(topic, data, null); // local only: the unit tests' registry has no relay
      return null;
    }
  }

  @Override
  public void onOpen(Session session) {
    session.attach(new LoopPeer(session));
  }

  @Override
  public void onMessage(Session session, byte[] payload, boolean binary) {
    PubSubProtocol.onMessage(session.<LoopPeer>attachment(), payload, binary, maxSubscriptions);
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    LoopPeer peer = session.attachment();
    if (peer != null) {
      for (String topic : peer.subs) {
        topics.unsubscribe(topic, session);
      }
      peer.subs.clear();
    }
  }
}
