package dev.keel.pubsub;

import dev.keel.auth.Principal;
import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.Topics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Keel's built-in application, the pub/sub protocol of docs/protocol.md, as one embedding-API
 * handler among others: {@code keel serve} runs exactly this on {@link dev.keel.api.Keel}.
 * Replies go on the control lane ({@link Connection#reply}); subscriptions end with the connection.
 *
 * <p>Usage: {@code Keel.builder().handler(topics -> new PubSubService(topics, 256)).build().start()}
 */
public final class PubSubService implements Handler {
  /** Replies are encoded off the event loop into short-lived heap buffers, then copied once. */
  private static final ByteBufAllocator REPLY_ALLOC = new UnpooledByteBufAllocator(false);

  private final Topics topics;
  private final int maxSubscriptions;

  public PubSubService(Topics topics, int maxSubscriptions) {
    this.topics = topics;
    this.maxSubscriptions = maxSubscriptions;
  }

  @Override
  public void onMessage(Connection c, Message m) {
    PubSubProtocol.onMessage(new ApiPeer(c), m.bytes(), m.binary(), maxSubscriptions);
  }

  private final class ApiPeer implements PubSubProtocol.Peer {
    private final Connection c;

    ApiPeer(Connection c) {
      this.c = c;
    }

    @Override
    public ByteBufAllocator alloc() {
      return REPLY_ALLOC;
    }

    @Override
    public Principal principal() {
      return c.principal();
    }

    @Override
    public void reply(ByteBuf json) {
      String text;
      try {
        text = json.toString(StandardCharsets.UTF_8);
      } finally {
        json.release();
      }
      c.reply(text); // a text frame on WebSocket
    }

    @Override
    public boolean subscribe(String topic) {
      // False also when the connection has just closed; the reply then goes nowhere.
      return topics.subscribe(c, topic);
    }

    @Override
    public void unsubscribe(String topic) {
      topics.unsubscribe(c, topic);
    }

    @Override
    public void publish(String topic, byte[] data) {
      topics.publish(topic, new String(data, StandardCharsets.UTF_8));
    }
  }
}
