package dev.keel.pubsub;

import dev.keel.api.Connection;
import dev.keel.api.Principal;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.Recovery;
import dev.keel.api.StreamPosition;
import dev.keel.api.Topics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import dev.keel.api.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
  private final boolean clustered;

  public PubSubService(Topics topics, int maxSubscriptions) {
    this(topics, maxSubscriptions, false);
  }

  /**
   * @param clustered topics go through Redis: a {@code pub} with an id waits (on its virtual thread)
   *     for Redis to take it, so that {@code ok} means published and a refusal is answered
   *     {@code unavailable}
   */
  public PubSubService(Topics topics, int maxSubscriptions, boolean clustered) {
    this.topics = topics;
    this.maxSubscriptions = maxSubscriptions;
    this.clustered = clustered;
  }

  /** How long a confirmed cluster publish may wait for Redis before it is answered unavailable. */
  private static final long CONFIRM_TIMEOUT_SECONDS = 10;

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
    public Recovery subscribe(String topic, StreamPosition since, java.util.function.Function<Recovery, String> reply) {
      return topics.subscribe(c, topic, since, reply);
    }

    @Override
    public void unsubscribe(String topic) {
      topics.unsubscribe(c, topic);
    }

    @Override
    public String publish(String topic, byte[] data, boolean confirm) {
      CompletableFuture<Integer> f = topics.publish(topic, new String(data, StandardCharsets.UTF_8));
      if (!f.isDone() && !(confirm && clustered)) {
        return null; // alone, the fan-out is under way and cannot fail
      }
      try {
        f.get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return null;
      } catch (ExecutionException e) {
        return e.getCause() instanceof UnavailableException u ? u.getMessage() : "publish failed: " + e.getCause();
      } catch (TimeoutException e) {
        return "redis did not answer within " + CONFIRM_TIMEOUT_SECONDS + " s";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
  }
}
