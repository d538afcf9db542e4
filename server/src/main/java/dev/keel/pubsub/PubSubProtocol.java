package dev.keel.pubsub;

import dev.keel.api.Principal;
import dev.keel.api.Recovery;
import dev.keel.api.StreamPosition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The pub/sub protocol of docs/protocol.md, one request at a time, over the connection it serves:
 * {@link PubSubService} runs it as an embedding-API handler.
 */
final class PubSubProtocol {
  /** What the protocol needs from the connection it serves. */
  interface Peer {
    ByteBufAllocator alloc();

    /** Queues a reply or error on the control lane; takes ownership of {@code json}. */
    void reply(ByteBuf json);

    /** Subscribes (idempotent); false when the connection already has {@code max-subscriptions} topics. */
    boolean subscribe(String topic);

    /**
     * Subscribes and recovers from {@code since}; {@code reply} formats the {@code subscribed} reply,
     * which goes out before the replay.
     *
     * @return null when the connection already has {@code max-subscriptions} topics (or is closed)
     */
    Recovery subscribe(String topic, StreamPosition since, java.util.function.Function<Recovery, String> reply);

    void unsubscribe(String topic);

    /**
     * Publishes compact JSON {@code data} to the topic; with {@code confirm} (the request has an id),
     * may wait for the cluster relay's answer.
     *
     * @return null, or why the publish was refused (cluster mode: Redis unreachable)
     */
    String publish(String topic, byte[] data, boolean confirm);

    /** Who the connection is (its token's permissions), or null when authentication is off. */
    Principal principal();
  }

  private PubSubProtocol() {}

  static void onMessage(Peer peer, byte[] payload, boolean binary, int maxSubscriptions) {
    if (binary) {
      peer.reply(Protocol.error(peer.alloc(), "unsupported",
          "binary frames are not supported: send one JSON object per text frame", null));
      return;
    }
    Protocol.Request r;
    try {
      r = Protocol.parse(payload);
    } catch (ProtocolException e) {
      peer.reply(Protocol.error(peer.alloc(), e.code(), e.getMessage(), e.id()));
      return;
    }
    switch (r.op()) {
      case "sub" -> {
        Principal p = peer.principal();
        if (p != null && !p.maySubscribe(r.topic())) {
          peer.reply(Protocol.error(peer.alloc(), "forbidden", "not allowed to subscribe to " + r.topic(), r.id()));
          return;
        }
        if (r.since() != null) {
          if (peer.subscribe(r.topic(), r.since(), got -> Protocol.subscribed(r.topic(), got, r.id())) == null) {
            peer.reply(Protocol.error(peer.alloc(), "limit_exceeded",
                "subscription limit reached (max-subscriptions = " + maxSubscriptions + ")", r.id()));
          }
          return;
        }
        if (!peer.subscribe(r.topic())) {
          peer.reply(Protocol.error(peer.alloc(), "limit_exceeded",
              "subscription limit reached (max-subscriptions = " + maxSubscriptions + ")", r.id()));
          return;
        }
        peer.reply(Protocol.reply(peer.alloc(), "subscribed", r.topic(), null, r.id()));
      }
      case "unsub" -> {
        peer.unsubscribe(r.topic());
        peer.reply(Protocol.reply(peer.alloc(), "unsubscribed", r.topic(), null, r.id()));
      }
      case "pub" -> {
        Principal p = peer.principal();
        if (p != null && !p.mayPublish(r.topic())) {
          peer.reply(Protocol.error(peer.alloc(), "forbidden", "not allowed to publish to " + r.topic(), r.id()));
          return;
        }
        String refused = peer.publish(r.topic(), Protocol.compact(r.data()), r.id() != null);
        if (refused != null) {
          if (r.id() != null) {
            peer.reply(Protocol.error(peer.alloc(), "unavailable", refused, r.id()));
          }
        } else if (r.id() != null) {
          peer.reply(Protocol.reply(peer.alloc(), "ok", null, null, r.id()));
        }
      }
      case "echo" -> peer.reply(Protocol.reply(peer.alloc(), "echo", null, r.data(), r.id()));
      case "ping" -> peer.reply(Protocol.reply(peer.alloc(), "pong", null, null, r.id()));
      default -> throw new IllegalStateException("parse() admitted op " + r.op());
    }
  }
}
