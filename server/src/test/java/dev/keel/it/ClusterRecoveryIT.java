package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.cluster.redis.RedisOptions;
import dev.keel.cluster.redis.RedisProcess;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Recovery in cluster mode against a real redis-server (docs/cluster.md, History in Redis): the
 * stream and its epoch live in Redis, so a client that dropped off one node recovers through another;
 * recoveries racing a publish storm see every seq once; Redis losing its data changes the epoch; a
 * stream trimmed by MAXLEN answers too_far_behind; Redis gone or silent answers unavailable, promptly.
 */
class ClusterRecoveryIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static List<Running> nodes(RedisProcess redis, int n, int historySize, UnaryOperator<KeelConfig.Builder> more) {
    List<Running> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(Servers.start(b -> more.apply(b.set(RedisOptions.CLUSTER_REDIS, redis.uri())
          .set(CoreOptions.IO_THREADS, 2).set(CoreOptions.HISTORY_SIZE, historySize)
          .set(CoreOptions.HISTORY_TTL, Duration.ofMinutes(10)))));
    }
    return servers;
  }

  private static String since(String topic, String epoch, long seq) {
    return "{\"op\":\"sub\",\"topic\":\"" + topic + "\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":" + seq + "},\"id\":7}";
  }

  /** Publishes through {@code node}'s relay and waits until Redis has run the script. */
  private static void publish(Running node, String topic, String json) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    node.publish(topic, json.getBytes(StandardCharsets.UTF_8), done::complete,
        reason -> done.completeExceptionally(new IllegalStateException(reason)));
    done.orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static JsonNode positionOnly(WsClient c, String topic) {
    c.send("{\"op\":\"sub\",\"topic\":\"" + topic + "\",\"since\":{}}");
    JsonNode r = c.nextJson();
    assertThat(r.get("op").asText()).as("reply to a position-only sub: " + r).isEqualTo("subscribed");
    assertThat(r.get("epoch").isTextual()).as("an epoch from Redis: " + r).isTrue();
    assertThat(r.has("recovered")).as("nothing attempted: no recovered field").isFalse();
    return r;
  }

  private static void expectMessages(WsClient c, long from, long to) {
    for (long seq = from; seq <= to; seq++) {
      JsonNode m = c.nextJson();
      assertThat(m.get("op").asText()).as("a message: " + m).isEqualTo("msg");
      assertThat(m.get("seq").asLong()).as("seq in order, no gap, no duplicate: " + m).isEqualTo(seq);
      assertThat(m.get("data").get("n").asLong()).as("the data published as seq " + seq).isEqualTo(seq);
    }
  }

  @Test
  void recovery_throughAnotherNode_repliesThenReplaysTheMissedThenLive() {
    try (RedisProcess redis = RedisProcess.start()) {
      List<Running> servers = nodes(redis, 3, 100, b -> b);
      try {
        Running a = servers.get(0);
        Running b = servers.get(1);
        Running c = servers.get(2);
        WsClient onA = WsClient.connect(a.wsPort());
        String epoch = positionOnly(onA, "news").get("epoch").asText();
        for (int n = 1; n <= 3; n++) {
          publish(b, "news", "{\"n\":" + n + "}");
        }
        expectMessages(onA, 1, 3);
        onA.abort();
        for (int n = 4; n <= 7; n++) {
          publish(c, "news", "{\"n\":" + n + "}");
        }
        try (WsClient onB = WsClient.connect(b.wsPort())) {
          onB.send(since("news", epoch, 3));
          JsonNode r = onB.nextJson();
          assertThat(r.get("op").asText()).as("reply: " + r).isEqualTo("subscribed");
          assertThat(r.get("recovered").asBoolean()).as("recovered through node B: " + r).isTrue();
          assertThat(r.get("epoch").asText()).as("the same epoch on every node").isEqualTo(epoch);
          assertThat(r.get("seq").asLong()).as("the last replayed").isEqualTo(7);
          assertThat(r.get("id").asInt()).as("id").isEqualTo(7);
          expectMessages(onB, 4, 7);
          publish(a, "news", "{\"n\":8}");
          expectMessages(onB, 8, 8);
          assertThat(onB.poll()).as("nothing more").isNull();
        }
        assertThat(b.readings().recoveriesSucceeded()).as("counted on the node that recovered").isEqualTo(1);
        assertThat(b.readings().recoveriesAttempted()).as("attempts on B").isEqualTo(1);
        assertThat(a.readings().recoveriesAttempted()).as("a position-only sub attempts nothing").isZero();
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  /**
   * Two publishers storm one topic through node A (5,000 messages) while four clients each drop (TCP
   * reset) and recover, alternately through node B and node A, every 50 to 300 messages: every client
   * sees every seq from its first to the last exactly once, in order.
   */
  @Test
  void replay_racingAPublishStorm_throughOtherNodes_hasNoGapAndNoDuplicate() throws Exception {
    int total = 5_000;
    try (RedisProcess redis = RedisProcess.start(); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      // The default PING interval: a PING that waits behind the storm is not a loss while the storm arrives
      // (RedisLivenessIT); before, a PONG over 2 s late made the node drop its pair and lose messages.
      List<Running> servers = nodes(redis, 2, 16_384, b -> b.set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 65_536)
          .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 << 20).set(CoreOptions.HISTORY_MAX_BYTES, 64 << 20));
      try {
        Running a = servers.get(0);
        String epoch;
        try (WsClient first = WsClient.connect(a.wsPort())) {
          epoch = positionOnly(first, "storm").get("epoch").asText();
        }
        AtomicInteger recoveries = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<Long>> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          clients.add(pool.submit(() -> {
            try {
              return recoverRepeatedly(servers, epoch, total, recoveries);
            } catch (Throwable t) {
              failed.set(true);
              throw t;
            }
          }));
        }
        Semaphore inFlight = new Semaphore(64);
        AtomicInteger published = new AtomicInteger();
        List<Future<?>> publishers = new ArrayList<>();
        Object order = new Object();
        for (int p = 0; p < 2; p++) {
          publishers.add(pool.submit(() -> {
            while (!failed.get()) {
              inFlight.acquire();
              synchronized (order) { // n equals seq: the data says which seq Redis had to give it
                int n = published.incrementAndGet();
                if (n > total) {
                  inFlight.release();
                  return null;
                }
                a.publish("storm", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), x -> inFlight.release(),
                    reason -> {
                      failed.set(true);
                      inFlight.release();
                    });
              }
            }
            return null;
          }));
        }
        for (Future<?> f : publishers) {
          f.get(300, TimeUnit.SECONDS);
        }
        for (Future<Long> f : clients) {
          assertThat(f.get(120, TimeUnit.SECONDS)).as("every client reached the last seq").isEqualTo(total);
        }
        assertThat(failed.get()).as("no publish refused, no client failed").isFalse();
        assertThat(recoveries.get()).as("recoveries raced the storm").isGreaterThanOrEqualTo(20);
        long succeeded = servers.stream().mapToLong(s -> s.readings().recoveriesSucceeded()).sum();
        assertThat(succeeded).as("every one recovered (and each client's first sub from 0), counted where it happened")
            .isEqualTo(recoveries.get() + clients.size());
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  /** One client: reads 50 to 300 messages, drops, recovers on the other node; returns the last seq it saw. */
  private static long recoverRepeatedly(List<Running> servers, String epoch, int total, AtomicInteger recoveries) {
    int node = 0;
    TcpClient c = TcpClient.connect(servers.get(node).tcpPort());
    c.send(since("storm", epoch, 0));
    JsonNode r = c.readJson();
    assertThat(r.get("recovered").asBoolean()).as("first recovery from 0: " + r).isTrue();
    long last = 0;
    while (true) {
      int batch = 50 + ThreadLocalRandom.current().nextInt(250);
      for (int i = 0; i < batch; i++) {
        JsonNode m = c.readJson();
        long seq = m.get("seq").asLong();
        assertThat(seq).as("no gap and no duplicate after seq " + last + " (node " + node + ")").isEqualTo(last + 1);
        assertThat(m.get("data").get("n").asLong()).as("seq " + seq + "'s data").isEqualTo(seq);
        last = seq;
        if (seq == total) {
          c.close();
          return last;
        }
      }
      c.reset();
      node = 1 - node;
      c = TcpClient.connect(servers.get(node).tcpPort());
      c.send(since("storm", epoch, last));
      r = c.readJson();
      assertThat(r.get("recovered").asBoolean()).as("recovered from " + last + " on node " + node + ": " + r).isTrue();
      recoveries.incrementAndGet();
    }
  }

  @Test
  void recovery_afterRedisLostItsData_isRefusedBecauseTheEpochChanged() {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      List<Running> servers = nodes(redis, 2, 100, b -> b);
      try {
        WsClient onA = WsClient.connect(servers.get(0).wsPort());
        String epoch = positionOnly(onA, "news").get("epoch").asText();
        publish(servers.get(1), "news", "{\"n\":1}");
        publish(servers.get(1), "news", "{\"n\":2}");
        expectMessages(onA, 1, 2);
        onA.abort();
        admin.sync().flushall();
        try (WsClient onB = WsClient.connect(servers.get(1).wsPort())) {
          onB.send(since("news", epoch, 2));
          JsonNode r = onB.nextJson();
          assertThat(r.get("recovered").asBoolean()).as("not the stream the client saw: " + r).isFalse();
          assertThat(r.get("reason").asText()).as("reason").isEqualTo("epoch_changed");
          assertThat(r.get("epoch").asText()).as("a new epoch").isNotEqualTo(epoch);
          assertThat(admin.sync().get("keel:epoch:news")).as("the new epoch lives in Redis").isEqualTo(r.get("epoch").asText());
        }
        assertThat(servers.get(1).readings().recoveriesFailed("epoch_changed")).as("counted by reason").isEqualTo(1);
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  @Test
  void recovery_fromBeyondTheTrimmedStream_answersTooFarBehind() {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      List<Running> servers = nodes(redis, 2, 5, b -> b);
      try {
        String epoch;
        try (WsClient first = WsClient.connect(servers.get(0).wsPort())) {
          epoch = positionOnly(first, "busy").get("epoch").asText();
        }
        for (int n = 1; n <= 300; n++) {
          publish(servers.get(0), "busy", "{\"n\":" + n + "}");
        }
        assertThat(admin.sync().xlen("keel:history:busy")).as("MAXLEN ~ 5 trimmed the stream").isLessThan(300);
        try (WsClient late = WsClient.connect(servers.get(1).wsPort())) {
          late.send(since("busy", epoch, 1));
          JsonNode r = late.nextJson();
          assertThat(r.get("recovered").asBoolean()).as("299 missed, 5 kept: " + r).isFalse();
          assertThat(r.get("reason").asText()).as("reason").isEqualTo("too_far_behind");
          assertThat(r.get("seq").asLong()).as("live messages follow the stream's last seq").isEqualTo(300);
          publish(servers.get(0), "busy", "{\"n\":301}");
          expectMessages(late, 301, 301);
        }
        try (WsClient near = WsClient.connect(servers.get(1).wsPort())) {
          near.send(since("busy", epoch, 297));
          JsonNode r = near.nextJson();
          assertThat(r.get("recovered").asBoolean()).as("4 missed, within the last 5: " + r).isTrue();
          expectMessages(near, 298, 301);
        }
        assertThat(servers.get(1).readings().recoveriesFailed("too_far_behind")).as("counted by reason").isEqualTo(1);
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  /**
   * The stream expires (PEXPIRE, history-ttl after the last publish) while the counter and the epoch
   * live on: the stream is intact, only old, so the epoch stays; a client that missed a message gets
   * expired, one that missed nothing recovers, and seqs go on in the same epoch.
   */
  @Test
  void recovery_afterTheStreamExpired_answersExpiredInTheSameEpoch() {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      List<Running> servers = nodes(redis, 2, 100, b -> b.set(CoreOptions.HISTORY_TTL, Duration.ofSeconds(1)));
      try {
        WsClient onA = WsClient.connect(servers.get(0).wsPort());
        String epoch = positionOnly(onA, "quiet").get("epoch").asText();
        publish(servers.get(0), "quiet", "{\"n\":1}");
        publish(servers.get(0), "quiet", "{\"n\":2}");
        expectMessages(onA, 1, 2);
        onA.abort();
        await("the stream expired").atMost(WAIT).until(() -> admin.sync().exists("keel:history:quiet") == 0);
        assertThat(admin.sync().get("keel:seq:quiet")).as("the counter lives on").isEqualTo("2");
        try (WsClient missed = WsClient.connect(servers.get(1).wsPort());
            WsClient upToDate = WsClient.connect(servers.get(1).wsPort())) {
          missed.send(since("quiet", epoch, 1));
          JsonNode r = missed.nextJson();
          assertThat(r.get("recovered").asBoolean()).as("message 2 expired: " + r).isFalse();
          assertThat(r.get("reason").asText()).as("reason").isEqualTo("expired");
          assertThat(r.get("epoch").asText()).as("the same stream: the same epoch").isEqualTo(epoch);
          assertThat(r.get("seq").asLong()).as("seq").isEqualTo(2);
          upToDate.send(since("quiet", epoch, 2));
          JsonNode u = upToDate.nextJson();
          assertThat(u.get("recovered").asBoolean()).as("nothing missed: " + u).isTrue();
          publish(servers.get(0), "quiet", "{\"n\":3}");
          expectMessages(missed, 3, 3);
          expectMessages(upToDate, 3, 3);
        }
        assertThat(servers.get(1).readings().recoveriesFailed("expired")).as("counted by reason").isEqualTo(1);
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  @Test
  void recovery_whileRedisIsDownOrSilent_answersUnavailablePromptly() {
    try (RedisProcess redis = RedisProcess.start()) {
      List<Running> servers = nodes(redis, 2, 100, b -> b.set(RedisOptions.CLUSTER_REDIS_PING_INTERVAL, Duration.ofSeconds(1)));
      try {
        String epoch;
        try (WsClient first = WsClient.connect(servers.get(0).wsPort())) {
          epoch = positionOnly(first, "news").get("epoch").asText();
        }
        publish(servers.get(0), "news", "{\"n\":1}");
        redis.pause(); // silent: the read is sent and never answered
        try (WsClient c = WsClient.connect(servers.get(1).wsPort())) {
          long start = System.nanoTime();
          c.send(since("news", epoch, 0));
          JsonNode r = WsClient.parse(c.next(WAIT));
          assertThat(r.get("recovered").asBoolean()).as("Redis silent: " + r).isFalse();
          assertThat(r.get("reason").asText()).as("reason").isEqualTo("unavailable");
          assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered, not hung").isLessThan(WAIT);
        } finally {
          redis.resume();
        }
        redis.kill();
        await("node B sees Redis gone").atMost(WAIT).until(() -> !servers.get(1).relay().available());
        try (WsClient c = WsClient.connect(servers.get(1).wsPort())) {
          c.send(since("news", epoch, 0));
          JsonNode r = c.nextJson();
          assertThat(r.get("recovered").asBoolean()).as("Redis down: " + r).isFalse();
          assertThat(r.get("reason").asText()).as("reason").isEqualTo("unavailable");
        }
        assertThat(servers.get(1).readings().recoveriesFailed("unavailable")).as("counted by reason").isEqualTo(2);
      } finally {
        servers.forEach(Running::close);
      }
    }
  }
}
