package dev.keel.load.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.load.client.Clients;
import dev.keel.load.client.Conn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/** Opens subscribers and waits for every {@code subscribed} reply, bounded in time. */
final class Subscriptions {
  private Subscriptions() {}

  /**
   * Opens {@code n} connections of {@code kind}, subscribes connection {@code i} to {@code topic.apply(i)}
   * and returns those whose subscription was confirmed. Fails the run when fewer than all are.
   */
  static List<Conn> open(Run run, int n, Subscriber.Kind kind, IntFunction<String> topic, Clients.Options options,
                         LongAdder slowDelivered) throws Exception {
    List<Conn> conns = run.openMany(n, run.settings.transport(), options, Subscriber.LISTENER);
    List<CompletableFuture<JsonNode>> replies = new ArrayList<>(conns.size());
    for (int i = 0; i < conns.size(); i++) {
      Conn c = conns.get(i);
      c.attachment = new Subscriber(run, kind, slowDelivered);
      replies.add(c.request("{\"op\":\"sub\",\"topic\":\"" + topic.apply(i) + "\""));
    }
    long deadline = System.nanoTime() + run.settings.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(n / 1000 + 5);
    List<Conn> subscribed = new ArrayList<>(conns.size());
    for (int i = 0; i < conns.size(); i++) {
      try {
        JsonNode r = replies.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if ("subscribed".equals(r.path("op").asText())) {
          subscribed.add(conns.get(i));
        }
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        conns.get(i).reset();
      }
    }
    if (subscribed.size() < n) {
      throw new RunFailed("subscribed " + subscribed.size() + " of " + n + " " + kind.name().toLowerCase()
          + " connections (connect failures " + run.connectFailures.sum()
          + (run.firstConnectFailure == null ? "" : ", the first: " + run.firstConnectFailure) + ")");
    }
    return subscribed;
  }
}
