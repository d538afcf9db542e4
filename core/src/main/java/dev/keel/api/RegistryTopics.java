package dev.keel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.keel.fanout.Position;
import dev.keel.fanout.TopicRegistry;
import dev.keel.session.Session;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** {@link Topics} over the server's {@link TopicRegistry}; subscriptions change on the subscriber's loop. */
final class RegistryTopics implements Topics {
  // As in the pub/sub protocol: numbers pass through as written, no rounding through a double.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
      .build();

  private final TopicRegistry registry;
  private final int maxSubscriptions;

  RegistryTopics(TopicRegistry registry, int maxSubscriptions) {
    this.registry = registry;
    this.maxSubscriptions = maxSubscriptions;
  }

  @Override
  public CompletableFuture<Integer> publish(String topic, String jsonData) {
    requireTopic(topic);
    byte[] data;
    try {
      JsonNode node = JSON.readTree(jsonData);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("data is not JSON: empty");
      }
      data = JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("data is not JSON: " + e.getOriginalMessage(), e);
    }
    CompletableFuture<Integer> delivered = new CompletableFuture<>();
    registry.publish(topic, data, n -> {
      // The count arrives on an event loop (or Redis's I/O thread). Callers' callbacks must not run
      // there (they may send, which waits for a loop), so a future with dependents is completed
      // from a virtual thread.
      if (delivered.getNumberOfDependents() == 0) {
        delivered.complete(n);
      } else {
        Thread.startVirtualThread(() -> delivered.complete(n));
      }
    }, reason -> {
      UnavailableException e = new UnavailableException(reason);
      if (delivered.getNumberOfDependents() == 0) {
        delivered.completeExceptionally(e);
      } else {
        Thread.startVirtualThread(() -> delivered.completeExceptionally(e));
      }
    });
    return delivered;
  }

  @Override
  public boolean subscribe(Connection connection, String topic) {
    requireTopic(topic);
    LiveConnection c = live(connection);
    Session s = c.session();
    // On the loop, like the unsubscribe in onClose: a subscription can never outlive the connection.
    return c.onLoop(() -> {
      if (!s.isOpen()) {
        return false;
      }
      if (TopicSet.contains(c.topics, topic)) {
        return true;
      }
      if (TopicSet.size(c.topics) >= maxSubscriptions) {
        return false;
      }
      c.topics = TopicSet.with(c.topics, registry.canonicalName(topic));
      registry.subscribe(topic, s);
      s.subscriptions(TopicSet.size(c.topics));
      return true;
    }, false);
  }

  @Override
  public Recovery subscribe(Connection connection, String topic, StreamPosition since, Function<Recovery, String> reply) {
    requireTopic(topic);
    LiveConnection c = live(connection);
    Session s = c.session();
    Position at = new Position(since.epoch(), since.seq());
    CompletableFuture<Recovery> outcome = c.onLoop(() -> {
      CompletableFuture<Recovery> f = new CompletableFuture<>();
      if (!s.isOpen()) {
        f.complete(null);
      } else if (TopicSet.contains(c.topics, topic)) {
        dev.keel.fanout.Recovery now = registry.position(topic);
        f.complete(answer(s, reply, new Recovery(now == null ? null : now.epoch(), now == null ? 0 : now.seq(),
            at.epoch() != null, false, at.epoch() != null ? "already_subscribed" : null)));
      } else if (TopicSet.size(c.topics) >= maxSubscriptions) {
        f.complete(null);
      } else {
        c.topics = TopicSet.with(c.topics, registry.canonicalName(topic));
        // Queues the replay (data lane) right after done, in the same loop task; the reply goes on the control
        // lane, which the drain after this task writes first: subscribed, the replay, then live messages. In
        // cluster mode done runs later (Redis is read off the loop), in a task of its own, in the same order.
        registry.subscribe(topic, s, at, got -> {
          if (got == null) {
            f.complete(null); // unsubscribed or closed while Redis was read
            return;
          }
          s.subscriptions(TopicSet.size(c.topics));
          f.complete(answer(s, reply, new Recovery(got.epoch(), got.seq(), got.attempted(), got.recovered(),
              got.failure() == null ? null : got.failure().label())));
        });
      }
      return f;
    }, null);
    if (outcome == null) {
      return null;
    }
    if (s.eventLoop().inEventLoop()) {
      return outcome.getNow(PENDING); // cannot wait here: the reply still goes out when Redis answers
    }
    try {
      // Bounded: the relay answers within its own timeout; this one only covers a loop that stopped meanwhile.
      return outcome.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  /** Cluster mode, called on the connection's own loop: what returns before Redis has answered. */
  private static final Recovery PENDING = new Recovery(null, 0, true, false, "pending");

  private static Recovery answer(Session s, Function<Recovery, String> reply, Recovery r) {
    if (reply != null) {
      byte[] text = reply.apply(r).getBytes(StandardCharsets.UTF_8);
      s.reply(s.alloc().buffer(text.length, text.length).writeBytes(text));
    }
    return r;
  }

  @Override
  public void unsubscribe(Connection connection, String topic) {
    LiveConnection c = live(connection);
    Session s = c.session();
    c.onLoop(() -> {
      if (TopicSet.contains(c.topics, topic)) {
        c.topics = TopicSet.without(c.topics, topic);
        registry.unsubscribe(topic, s);
        s.subscriptions(TopicSet.size(c.topics));
      }
    });
  }

  @Override
  public int subscribers(String topic) {
    return registry.subscribers(topic);
  }

  private static LiveConnection live(Connection connection) {
    if (connection instanceof LiveConnection c) {
      return c;
    }
    throw new IllegalArgumentException("not a connection of this server: " + connection);
  }

  private static void requireTopic(String topic) {
    if (topic == null || !TopicNames.isValid(topic)) {
      throw new IllegalArgumentException("invalid topic '" + topic
          + "': use 1 to 128 characters from A-Z a-z 0-9 _ . : / -");
    }
  }
}
