package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Recovery on the real server over loopback: a client that dropped gets what it missed and then the
 * live stream; a restarted server says {@code recovered:false}; subscriptions that recover while
 * publishes storm the topic see every seq exactly once; history trimmed by size, TTL and the budget.
 */
class RecoveryIT {
  private static String since(String topic, String epoch, long seq) {
    return "{\"op\":\"sub\",\"topic\":\"" + topic + "\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":" + seq + "},\"id\":7}";
  }

  private static void publish(Running server, String topic, String json) {
    server.publish(topic, json.getBytes(StandardCharsets.UTF_8), null, null);
  }

  private static JsonNode firstSubscribe(TcpClient c, String topic) {
    c.send("{\"op\":\"sub\",\"topic\":\"" + topic + "\",\"since\":{}}");
    JsonNode r = c.readJson();
    assertThat(r.get("op").asText()).as("reply to a position-only sub: " + r).isEqualTo("subscribed");
    return r;
  }

  /** Subscribes asking for the position only; returns the reply. */
  private static JsonNode firstSubscribe(WsClient c, String topic) {
    c.send("{\"op\":\"sub\",\"topic\":\"" + topic + "\",\"since\":{}}");
    JsonNode r = c.nextJson();
    assertThat(r.get("op").asText()).as("reply to a position-only sub: " + r).isEqualTo("subscribed");
    assertThat(r.has("recovered")).as("nothing attempted: no recovered field").isFalse();
    return r;
  }

  @Test
  void recovery_whoseReplayWouldOverflowTheQueue_answersTooFarBehind_andKeepsTheConnection() throws Exception {
    // 40 missed messages of ~4 KiB against an 80 KiB queue: replaying them would cut the client as a slow
    // consumer before its reply, and each reconnect would do the same; it is told instead.
    try (Running server = Servers.start(b -> b.set(CoreOptions.HISTORY_SIZE, 100)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 80 * 1024))) {
      WsClient a = WsClient.connect(server.wsPort());
      String epoch = firstSubscribe(a, "big").get("epoch").asText();
      publish(server, "big", "{\"n\":1}");
      assertThat(a.nextJson().get("seq").asLong()).as("live").isEqualTo(1);
      a.abort();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.subscribers("big") == 0);
      String pad = "x".repeat(4_000);
      for (int i = 2; i <= 41; i++) {
        publish(server, "big", "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}");
      }
      WsClient b = WsClient.connect(server.wsPort());
      b.send(since("big", epoch, 1));
      JsonNode reply = b.nextJson();
      assertThat(reply.toString()).as("told, not cut")
          .isEqualTo("{\"op\":\"subscribed\",\"topic\":\"big\",\"epoch\":\"" + epoch
              + "\",\"seq\":41,\"recovered\":false,\"reason\":\"too_far_behind\",\"id\":7}");
      publish(server, "big", "{\"n\":42}");
      assertThat(b.nextJson().get("seq").asLong()).as("the live stream follows the reply's seq").isEqualTo(42);
      assertThat(server.closed(dev.keel.api.CloseReason.SLOW_CONSUMER)).as("nobody cut").isZero();

      WsClient c = WsClient.connect(server.wsPort());
      c.send(since("big", epoch, 39));
      assertThat(c.nextJson().get("recovered").asBoolean()).as("three missed messages fit: recovered").isTrue();
      assertThat(c.nextJson().get("seq").asLong()).as("the replay").isEqualTo(40);
      b.close();
      c.close();
    }
  }

  @Test
  void recovery_afterAClientDrop_repliesThenReplaysTheMissedThenLive_onBothTransports() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.HISTORY_SIZE, 100))) {
      WsClient a = WsClient.connect(server.wsPort());
      String epoch = firstSubscribe(a, "news").get("epoch").asText();
      publish(server, "news", "{\"n\":1}");
      assertThat(a.nextJson().get("seq").asLong()).as("live").isEqualTo(1);
      a.abort();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.subscribers("news") == 0);
      publish(server, "news", "{\"n\":2}");
      publish(server, "news", "{\"n\":3}");

      WsClient b = WsClient.connect(server.wsPort());
      b.send(since("news", epoch, 1));
      JsonNode reply = b.nextJson();
      assertThat(reply.toString()).as("the reply, first")
          .isEqualTo("{\"op\":\"subscribed\",\"topic\":\"news\",\"epoch\":\"" + epoch + "\",\"seq\":3,\"recovered\":true,\"id\":7}");
      publish(server, "news", "{\"n\":4}");
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        JsonNode m = b.nextJson();
        assertThat(m.get("data").get("n").asLong()).as("data matches seq").isEqualTo(m.get("seq").asLong());
        seqs.add(m.get("seq").asLong());
      }
      assertThat(seqs).as("2 and 3 replayed, 4 live").containsExactly(2L, 3L, 4L);

      try (TcpClient t = TcpClient.connect(server.tcpPort())) {
        t.send(since("news", epoch, 3));
        assertThat(t.readJson().get("recovered").asBoolean()).as("TCP recovers too").isTrue();
        assertThat(t.readJson().get("seq").asLong()).as("the one it missed").isEqualTo(4);
      }
      assertThat(server.readings().recoveriesSucceeded()).as("recoveries succeeded").isEqualTo(2);
      b.close();
    }
  }

  @Test
  void recovery_afterAServerRestart_isRefusedBecauseTheEpochChanged() {
    String epoch;
    try (Running first = Servers.start(b -> b.set(CoreOptions.HISTORY_SIZE, 100))) {
      WsClient a = WsClient.connect(first.wsPort());
      epoch = firstSubscribe(a, "news").get("epoch").asText();
      publish(first, "news", "{\"n\":1}");
      assertThat(a.nextJson().get("seq").asLong()).isEqualTo(1);
    }
    try (Running second = Servers.start(b -> b.set(CoreOptions.HISTORY_SIZE, 100))) {
      WsClient c = WsClient.connect(second.wsPort());
      c.send(since("news", epoch, 1));
      JsonNode r = c.nextJson();
      assertThat(r.get("recovered").asBoolean()).as("recovered: " + r).isFalse();
      assertThat(r.get("reason").asText()).as("why").isEqualTo("epoch_changed");
      assertThat(r.get("epoch").asText()).as("the new stream's epoch").isNotEqualTo(epoch);
      assertThat(second.readings().recoveriesFailed("epoch_changed")).as("counted").isEqualTo(1);
      publish(second, "news", "{\"n\":1}");
      assertThat(c.nextJson().get("seq").asLong()).as("subscribed all the same: live from the new stream").isEqualTo(1);
      c.close();
    }
  }

  private static final int STORM_MESSAGES = 5_000;
  private static final int RECOVERING_CLIENTS = 10;
  private static final int RECOVERIES_EACH = 10;
  /** Where the storm ends even if the recoveries are not done (the assertions then say why). */
  private static final int STORM_LIMIT = 200_000;
  /** Messages published and not yet read by the slowest client: keeps the storm at reading speed. */
  private static final int IN_FLIGHT = 2_000;

  /**
   * Two threads publish at least 5,000 messages, as fast as the reference client reads them, while ten
   * clients each drop and recover every 50 to 300 messages, until each has recovered 10 times (100
   * recoveries or more, each racing the storm); then one last message ends it. Every client sees every
   * seq from its first one to the last exactly once, in order, each with the same data as the client
   * that never dropped.
   */
  @Test
  void replay_racingAPublishStorm_hasNoGapAndNoDuplicate() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.HISTORY_SIZE, 16_384)
            .set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 65_536).set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 << 20)
            .set(CoreOptions.HISTORY_MAX_BYTES, 64 << 20).set(CoreOptions.HISTORY_TTL, Duration.ofMinutes(30)));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      TcpClient reference = TcpClient.connect(server.tcpPort());
      String epoch = firstSubscribe(reference, "storm").get("epoch").asText();
      AtomicInteger recoveries = new AtomicInteger();
      Progress progress = new Progress(RECOVERING_CLIENTS + 1);
      CountDownLatch subscribed = new CountDownLatch(RECOVERING_CLIENTS);
      AtomicBoolean failed = new AtomicBoolean();
      List<Future<TreeMap<Long, String>>> clients = new ArrayList<>();
      for (int i = 0; i < RECOVERING_CLIENTS; i++) {
        int client = i + 1;
        clients.add(pool.submit(() -> {
          try {
            return recoverRepeatedly(server, epoch, recoveries, subscribed, progress, client);
          } catch (Throwable t) {
            failed.set(true); // ends the storm: the failure is reported by this client's future
            subscribed.countDown();
            throw t;
          }
        }));
      }
      assertThat(subscribed.await(60, TimeUnit.SECONDS)).as("every client subscribed before the storm").isTrue();
      AtomicInteger published = new AtomicInteger();
      List<Future<?>> publishers = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        int publisher = p;
        publishers.add(pool.submit(() -> {
          while (!failed.get() && published.get() < STORM_LIMIT
              && (published.get() < STORM_MESSAGES || recoveries.get() < RECOVERING_CLIENTS * RECOVERIES_EACH)) {
            if (!progress.awaitRoom(published.get(), IN_FLIGHT, failed)) {
              failed.set(true); // a client stopped reading: its future says why
              return null;
            }
            publish(server, "storm", "{\"p\":" + publisher + ",\"n\":" + published.incrementAndGet() + "}");
          }
          return null;
        }));
      }
      Map<Long, String> seen = new TreeMap<>();
      Future<?> read = pool.submit(() -> {
        for (long seq = 1; ; seq++) {
          JsonNode m = reference.readJson();
          assertThat(m.get("seq").asLong()).as("the reference client's stream").isEqualTo(seq);
          seen.put(seq, m.get("data").toString());
          progress.at(0, seq);
          if (m.get("data").has("end")) {
            return null;
          }
        }
      });
      for (Future<?> f : publishers) {
        f.get(300, TimeUnit.SECONDS);
      }
      publish(server, "storm", "{\"end\":true}");
      read.get(60, TimeUnit.SECONDS);
      long last = ((TreeMap<Long, String>) seen).lastKey();
      for (Future<TreeMap<Long, String>> f : clients) {
        TreeMap<Long, String> got = f.get(120, TimeUnit.SECONDS);
        assertThat(got.lastKey()).as("every client reached the end").isEqualTo(last);
        for (Map.Entry<Long, String> e : got.entrySet()) {
          assertThat(e.getValue()).as("seq " + e.getKey() + " carries the same data as live").isEqualTo(seen.get(e.getKey()));
        }
      }
      assertThat(failed.get()).as("no client failed and the reference kept reading").isFalse();
      assertThat(recoveries.get()).as("recoveries raced the storm").isGreaterThanOrEqualTo(RECOVERING_CLIENTS * RECOVERIES_EACH);
      assertThat(server.readings().recoveriesSucceeded()).as("every one recovered").isEqualTo(recoveries.get());
      reference.close();
    }
  }

  /**
   * How far each client has read; publishers wait (on this monitor, with a deadline) while they are
   * more than a bound ahead of the slowest, so the storm runs at reading speed and history covers it.
   */
  private static final class Progress {
    private final long[] at;

    Progress(int clients) {
      at = new long[clients];
    }

    synchronized void at(int client, long seq) {
      at[client] = seq;
      notifyAll();
    }

    /** False when no room came within 20 s (a client stopped reading) or another thread failed. */
    synchronized boolean awaitRoom(long published, int bound, AtomicBoolean failed) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (published - java.util.Arrays.stream(at).min().orElse(0) >= bound && !failed.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return !failed.get();
    }
  }

  /** One client: subscribes, reads 50 to 300 messages, drops, recovers from its last seq; until the end. */
  private static TreeMap<Long, String> recoverRepeatedly(Running server, String epoch, AtomicInteger recoveries,
      CountDownLatch subscribed, Progress progress, int client) {
    TreeMap<Long, String> got = new TreeMap<>();
    TcpClient c = TcpClient.connect(server.tcpPort());
    long last = firstSubscribe(c, "storm").get("seq").asLong();
    subscribed.countDown();
    long first = last + 1;
    while (true) {
      int batch = 50 + ThreadLocalRandom.current().nextInt(250);
      for (int i = 0; i < batch; i++) {
        JsonNode m = c.readJson();
        long seq = m.get("seq").asLong();
        assertThat(seq).as("no gap and no duplicate after seq " + last).isEqualTo(last + 1);
        got.put(seq, m.get("data").toString());
        last = seq;
        progress.at(client, seq);
        if (m.get("data").has("end")) {
          c.close();
          assertThat(got.firstKey()).as("from its first seq").isEqualTo(first);
          return got;
        }
      }
      c.reset(); // dropped with a TCP reset, mid-stream
      c = TcpClient.connect(server.tcpPort());
      c.send(since("storm", epoch, last));
      JsonNode r = c.readJson();
      assertThat(r.get("recovered").asBoolean()).as("recovered from " + last + ": " + r).isTrue();
      recoveries.incrementAndGet();
    }
  }

  @Test
  void history_trimmedBySizeAndTtl_answersTooFarBehindAndExpired() {
    try (Running server = Servers.start(b -> b.set(CoreOptions.HISTORY_SIZE, 3)
        .set(CoreOptions.HISTORY_TTL, Duration.ofSeconds(1)))) {
      WsClient a = WsClient.connect(server.wsPort());
      String epoch = firstSubscribe(a, "news").get("epoch").asText();
      for (int i = 1; i <= 5; i++) {
        publish(server, "news", "{\"n\":" + i + "}");
      }
      WsClient b = WsClient.connect(server.wsPort());
      b.send(since("news", epoch, 1));
      JsonNode far = b.nextJson();
      assertThat(far.get("reason").asText()).as("3..5 kept, 2 trimmed: " + far).isEqualTo("too_far_behind");
      // a stays subscribed, so the topic (and its epoch) lives on while its history expires
      await().atMost(Duration.ofSeconds(10)).until(() -> server.readings().historyMessages() == 0);
      WsClient c = WsClient.connect(server.wsPort());
      c.send(since("news", epoch, 3));
      JsonNode old = c.nextJson();
      assertThat(old.get("reason").asText()).as("4 and 5 expired: " + old).isEqualTo("expired");
      assertThat(server.readings().historyTrimmed("ttl")).as("expired by the sweep").isEqualTo(3);
      assertThat(server.readings().memoryAccounted("history")).as("nothing charged once expired").isZero();
      a.close();
      b.close();
      c.close();
    }
  }

  @Test
  void history_overTheBudget_isDroppedBeforeAnyConnection() throws Exception {
    try (Running server = Servers.start(b -> b.set(CoreOptions.MEMORY_BUDGET, 16L << 20)
        .set(CoreOptions.HISTORY_SIZE, 4096).set(CoreOptions.HISTORY_MAX_BYTES, 64 << 20))) {
      WsClient bystander = WsClient.connect(server.wsPort());
      String epoch = firstSubscribe(bystander, "quiet").get("epoch").asText();
      String big = "\"" + "x".repeat(60_000) + "\"";
      // Nobody subscribes to "big": its history alone pushes the budget past the shed mark.
      for (int i = 0; i < 300 && server.readings().historyTrimmed("budget") == 0; i++) {
        publish(server, "big", big);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.readings().historyTrimmed("budget") > 0);
      assertThat(server.readings().shed("closed")).as("no connection closed: history went first").isZero();
      assertThat(bystander.isClosed()).as("the bystander is still connected").isFalse();
      publish(server, "quiet", "{\"n\":1}");
      assertThat(bystander.nextJson().get("seq").asLong()).as("and served").isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.readings().overloadStage() == 0); // admitting again
      WsClient late = WsClient.connect(server.wsPort());
      late.send(since("quiet", epoch, 1));
      assertThat(late.nextJson().get("recovered").asBoolean()).as("the small topic's history was not needed").isTrue();
      bystander.close();
      late.close();
    }
  }
}
