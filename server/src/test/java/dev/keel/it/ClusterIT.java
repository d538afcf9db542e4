package dev.keel.it;

import dev.keel.cluster.redis.RedisOptions;
import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.testing.Running;
import dev.keel.cluster.redis.RedisProcess;
import dev.keel.testing.Http;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several nodes sharing topics through a real redis-server (docs/cluster.md). */
class ClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {2, 3})
  void nodes_publishOnAnyNode_everyNodeDeliversSameOrderAndSeq(int nodes) throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        ExecutorService publishers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Running> servers = startNodes(redis, nodes);
      List<WsClient> subscribers = new ArrayList<>();
      try {
        for (Running s : servers) {
          WsClient c = WsClient.connect(s.wsPort());
          c.send("{\"op\":\"sub\",\"topic\":\"orders\"}");
          assertThat(c.nextJson().get("op").asText()).isEqualTo("subscribed");
          subscribers.add(c);
        }
        try (RedisProcess.Admin admin = redis.admin()) {
          await("every node subscribed to the channel").atMost(WAIT)
              .until(() -> admin.numsub("keel:topic:orders") == nodes);
        }
        Running a = servers.get(0);
        Running c = servers.get(nodes - 1); // with two nodes, B is also the HTTP node
        int perPublisher = 25;
        // A WebSocket client on A and HTTP on C publish at the same time: their interleaving is up to
        // Redis, and must be the same everywhere.
        Future<?> ws = publishers.submit(() -> {
          try (WsClient pub = WsClient.connect(a.wsPort())) {
            for (int i = 0; i < perPublisher; i++) {
              pub.send("{\"op\":\"pub\",\"topic\":\"orders\",\"data\":\"ws-" + i + "\",\"id\":" + i + "}");
              JsonNode ok = pub.nextJson();
              assertThat(ok.get("op").asText()).as("reply to pub %d: %s", i, ok).isEqualTo("ok");
            }
          }
          return null;
        });
        Future<?> http = publishers.submit(() -> {
          for (int i = 0; i < perPublisher; i++) {
            HttpResponse<String> r = Http.post(c.wsPort(), "/api/publish",
                "{\"topic\":\"orders\",\"data\":\"http-" + i + "\"}");
            assertThat(r.statusCode()).as("HTTP publish %d: %s", i, r.body()).isEqualTo(200);
            // Cluster mode counts the nodes Redis handed the message to.
            assertThat(r.body()).isEqualTo("{\"delivered\":" + nodes + "}");
          }
          return null;
        });
        ws.get();
        http.get();

        List<List<String>> seen = new ArrayList<>();
        for (WsClient sub : subscribers) {
          List<String> got = new ArrayList<>();
          long previous = 0;
          for (int i = 0; i < 2 * perPublisher; i++) {
            JsonNode m = sub.nextJson();
            assertThat(m.get("op").asText()).isEqualTo("msg");
            long seq = m.get("seq").asLong();
            assertThat(seq).as("seq after %d", previous).isEqualTo(previous + 1);
            previous = seq;
            got.add(seq + ":" + m.get("data").asText());
          }
          seen.add(got);
        }
        for (int i = 1; i < nodes; i++) {
          assertThat(seen.get(i)).as("node %d against node 0", i).containsExactlyElementsOf(seen.get(0));
        }
        // Each publisher's own messages keep their order.
        List<String> wsOrder = seen.get(0).stream().map(s -> s.substring(s.indexOf(':') + 1))
            .filter(d -> d.startsWith("ws-")).toList();
        assertThat(wsOrder).isEqualTo(java.util.stream.IntStream.range(0, perPublisher).mapToObj(i -> "ws-" + i).toList());
        assertThat(servers.get(1).relay().received()).isEqualTo(2L * perPublisher);
      } finally {
        subscribers.forEach(WsClient::close);
        servers.forEach(Running::close);
      }
    }
  }

  @Test
  void node_withoutSubscribers_holdsNoRedisSubscription() {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      List<Running> servers = startNodes(redis, 2);
      Running a = servers.get(0);
      Running b = servers.get(1);
      try (WsClient sub = WsClient.connect(a.wsPort())) {
        sub.send("{\"op\":\"sub\",\"topic\":\"only-a\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("subscribed");
        await("A subscribed").atMost(WAIT).until(() -> admin.numsub("keel:topic:only-a") == 1);
        assertThat(admin.channels("keel:topic:*")).containsExactly("keel:topic:only-a");

        // B has no subscriber and holds nothing, yet its publishes reach A.
        HttpResponse<String> r = Http.post(b.wsPort(), "/api/publish", "{\"topic\":\"only-a\",\"data\":1}");
        assertThat(r.body()).isEqualTo("{\"delivered\":1}");
        assertThat(sub.nextJson().get("data").asInt()).isEqualTo(1);
        assertThat(admin.numsub("keel:topic:only-a")).as("B still holds nothing").isEqualTo(1);

        sub.send("{\"op\":\"unsub\",\"topic\":\"only-a\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("unsubscribed");
        await("last subscriber gone: channel released").atMost(WAIT)
            .until(() -> admin.channels("keel:topic:*").isEmpty());
        assertThat(Http.post(b.wsPort(), "/api/publish", "{\"topic\":\"only-a\",\"data\":2}").body())
            .isEqualTo("{\"delivered\":0}");
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  @Test
  void redisKilledWhilePublishing_nodesStayUpAndRefuse_thenResumeWithoutDuplicates() throws Exception {
    int inflightCap = 64;
    try (RedisProcess redis = RedisProcess.start();
        ExecutorService publishers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Running> servers = startNodes(redis, 2, inflightCap);
      Running a = servers.get(0);
      Running b = servers.get(1);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger oks = new AtomicInteger();
      AtomicInteger unavailable = new AtomicInteger();
      AtomicInteger http503 = new AtomicInteger();
      AtomicInteger maxInFlight = new AtomicInteger();
      try (WsClient sub = WsClient.connect(b.wsPort()); WsClient pub = WsClient.connect(a.wsPort())) {
        sub.send("{\"op\":\"sub\",\"topic\":\"live\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("subscribed");
        try (RedisProcess.Admin admin = redis.admin()) {
          await().atMost(WAIT).until(() -> admin.numsub("keel:topic:live") == 1);
        }
        Future<?> wsPublisher = publishers.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            pub.send("{\"op\":\"pub\",\"topic\":\"live\",\"data\":" + i + ",\"id\":" + i + "}");
            JsonNode reply = pub.nextJson();
            switch (reply.get("op").asText()) {
              case "ok" -> oks.incrementAndGet();
              case "error" -> {
                assertThat(reply.get("code").asText()).as("error %s", reply).isEqualTo("unavailable");
                assertThat(reply.get("id").asInt()).isEqualTo(i);
                unavailable.incrementAndGet();
              }
              default -> throw new AssertionError("unexpected reply " + reply);
            }
            maxInFlight.accumulateAndGet(a.relay().inFlight(), Math::max);
          }
          return null;
        });
        Future<?> httpPublisher = publishers.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            HttpResponse<String> r = Http.post(a.wsPort(), "/api/publish",
                "{\"topic\":\"live\",\"data\":" + (1_000_000 + i) + "}");
            if (r.statusCode() == 503) {
              assertThat(r.body()).contains("\"error\":\"unavailable\"");
              http503.incrementAndGet();
            } else {
              assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
          }
          return null;
        });
        await("messages flowing").atMost(WAIT).until(() -> oks.get() > 20);

        redis.kill();
        await("WS pub refused as unavailable").atMost(WAIT).until(() -> unavailable.get() > 10);
        await("HTTP publish refused with 503").atMost(WAIT).until(() -> http503.get() > 10);
        for (Running s : servers) {
          HttpResponse<String> h = Http.get(s.wsPort(), "/healthz");
          assertThat(h.statusCode()).isEqualTo(200);
          assertThat(h.body()).isEqualTo("{\"status\":\"degraded\",\"redis\":\"down\"}");
          Map<String, Double> m = Http.scrape(s.adminPort());
          assertThat(m.get("keel_redis_up")).isEqualTo(0.0);
        }
        assertThat(Http.scrape(a.adminPort()).get("keel_redis_publishes_refused_total")).isGreaterThan(10.0);
        assertThat(sub.isClosed()).as("local connections stay up").isFalse();
        assertThat(pub.isClosed()).isFalse();
        assertThat(a.connections()).isGreaterThanOrEqualTo(1);
        int okBefore = oks.get();

        redis.restart(); // empty: its counters are gone
        await("delivery resumes within a few seconds").atMost(Duration.ofSeconds(10))
            .until(() -> oks.get() > okBefore + 20);
        // Each node reconnects on its own jittered schedule (docs/cluster.md): the subscriber's node
        // may come back up to one backoff ceiling (at most 5 s) after the publisher's.
        for (Running s : servers) {
          await("node on port " + s.wsPort() + " up again").atMost(Duration.ofSeconds(10))
              .until(() -> Http.get(s.wsPort(), "/healthz").body().equals("{\"status\":\"up\"}"));
        }
        stop.set(true);
        wsPublisher.get();
        httpPublisher.get();

        // Publish a marker and read everything up to it: seq strictly rises (gaps allowed), no repeats.
        Http.post(a.wsPort(), "/api/publish", "{\"topic\":\"live\",\"data\":\"end\"}");
        long previous = 0;
        Set<String> data = new HashSet<>();
        int received = 0;
        while (true) {
          JsonNode m = sub.nextJson();
          long seq = m.get("seq").asLong();
          assertThat(seq).as("seq after %d", previous).isGreaterThan(previous);
          previous = seq;
          received++;
          assertThat(data.add(m.get("data").toString())).as("duplicate delivery of %s", m).isTrue();
          if (m.get("data").asText().equals("end")) {
            break;
          }
        }
        assertThat(received).isGreaterThan(40);
        assertThat(maxInFlight.get()).as("publishes waiting on Redis stay under the cap").isLessThanOrEqualTo(inflightCap);
        assertThat(a.queuedBytes() + b.queuedBytes()).isLessThan(1024 * 1024);
      } finally {
        stop.set(true);
        servers.forEach(Running::close);
      }
    }
  }

  @Test
  void thousandSubscribersOverTwoNodesWithChurn_leaveNoSubscriptionBehind() throws Exception {
    int clients = 1000;
    int topics = 20;
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      List<Running> servers = startNodes(redis, 2);
      List<TcpClient> all = new ArrayList<>();
      Random random = new Random(6);
      try {
        for (int i = 0; i < clients; i++) {
          Running node = servers.get(i % 2);
          TcpClient c = TcpClient.connect(node.tcpPort(), InetAddress.getByName("127.0.0." + (2 + i % 200)), 0);
          c.send("{\"op\":\"sub\",\"topic\":\"churn-" + (i / 2 % topics) + "\"}");
          all.add(c);
        }
        for (TcpClient c : all) {
          assertThat(c.readJson().get("op").asText()).isEqualTo("subscribed");
        }
        await("both nodes on every topic").atMost(WAIT)
            .until(() -> admin.channels("keel:topic:churn-*").size() == topics
                && admin.numsub("keel:topic:churn-0") == 2);

        // Churn: every client moves to another topic, a third end abruptly, a third unsubscribe.
        for (int i = 0; i < clients; i++) {
          TcpClient c = all.get(i);
          int to = random.nextInt(topics + 5); // some topics exist nowhere yet
          c.send("{\"op\":\"unsub\",\"topic\":\"churn-" + (i / 2 % topics) + "\"}");
          c.send("{\"op\":\"sub\",\"topic\":\"churn-" + to + "\"}");
          if (i % 3 == 1) {
            c.send("{\"op\":\"unsub\",\"topic\":\"churn-" + to + "\"}");
          }
        }
        for (int i = 0; i < clients; i++) {
          if (i % 3 == 0) {
            all.get(i).close();
          }
        }
        Http.post(servers.get(0).wsPort(), "/api/publish", "{\"topic\":\"churn-3\",\"data\":\"x\"}");
        // Redis holds exactly the channels of topics that still have local subscribers.
        await("Redis subscriptions match the nodes' topics").atMost(WAIT).until(() -> {
          Set<String> live = new HashSet<>();
          for (Running s : servers) {
            s.topicNames().forEach(t -> live.add("keel:topic:" + t));
          }
          return new HashSet<>(admin.channels("keel:topic:*")).equals(live);
        });
      } finally {
        all.forEach(TcpClient::close);
      }
      await("nodes empty").atMost(WAIT).until(() -> servers.stream()
          .allMatch(s -> s.topicCount() == 0 && s.subscriptionCount() == 0));
      await("redis holds no channel").atMost(WAIT).until(() -> admin.channels("keel:*").isEmpty());
      servers.forEach(Running::close);
    }
  }

  @Test
  void node_startedWhileRedisDown_startsDegradedAndJoinsLater() {
    try (RedisProcess redis = RedisProcess.start()) {
      redis.kill();
      List<Running> servers = startNodes(redis, 1);
      Running a = servers.get(0);
      try (WsClient c = WsClient.connect(a.wsPort())) {
        c.send("{\"op\":\"sub\",\"topic\":\"late\"}");
        assertThat(c.nextJson().get("op").asText()).isEqualTo("subscribed");
        assertThat(Http.post(a.wsPort(), "/api/publish", "{\"topic\":\"late\",\"data\":0}").statusCode())
            .isEqualTo(503);
        redis.restart();
        await("reconnected").atMost(WAIT).until(() -> a.relay().available());
        try (RedisProcess.Admin admin = redis.admin()) {
          assertThat(admin.numsub("keel:topic:late")).as("resubscribed on connect").isEqualTo(1);
        }
        assertThat(Http.post(a.wsPort(), "/api/publish", "{\"topic\":\"late\",\"data\":1}").body())
            .isEqualTo("{\"delivered\":1}");
        JsonNode m = c.nextJson();
        assertThat(m.get("seq").asLong()).isEqualTo(1);
        assertThat(m.get("data").asInt()).isEqualTo(1);
      } finally {
        servers.forEach(Running::close);
      }
    }
  }

  @Test
  void publishesOverTheInflightCap_areRefusedAtOnceAndCounted_andTakeNoSeq() throws Exception {
    int publishes = 500;
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      Running a = startNodes(redis, 1, 1).get(0);
      try (WsClient sub = WsClient.connect(a.wsPort())) {
        sub.send("{\"op\":\"sub\",\"topic\":\"cap\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("subscribed");
        await().atMost(WAIT).until(() -> admin.numsub("keel:topic:cap") == 1);
        AtomicInteger published = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(publishes);
        byte[] data = "1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < publishes; i++) {
          a.publish("cap", data, n -> {
            published.incrementAndGet();
            answered.countDown();
          }, reason -> {
            assertThat(reason).contains("cluster-publish-inflight = 1");
            refused.incrementAndGet();
            answered.countDown();
          });
        }
        assertThat(answered.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(refused.get()).as("refused at once, never queued").isPositive();
        assertThat(published.get()).isPositive();
        assertThat(a.relay().refused()).isEqualTo(refused.get());
        assertThat(Http.scrape(a.adminPort()).get("keel_redis_publishes_refused_total"))
            .isEqualTo((double) refused.get());
        // Only accepted publishes took a seq: the subscriber sees 1..published with no gap.
        for (int i = 1; i <= published.get(); i++) {
          assertThat(sub.nextJson().get("seq").asLong()).isEqualTo(i);
        }
      } finally {
        a.close();
      }
    }
  }

  @Test
  void embeddingApi_publishWhileRedisDown_failsWithUnavailableException() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      // The cluster module on its own, as an embedder adds it: Keel with a handler and the extension.
      dev.keel.cluster.redis.RedisCluster cluster = new dev.keel.cluster.redis.RedisCluster();
      try (dev.keel.api.Keel keel = dev.keel.api.Keel.builder().wsPort(0).tcpPort(dev.keel.config.Ports.OFF)
          .set(RedisOptions.CLUSTER_REDIS, redis.uri()).handler((c, m) -> { }).extension(cluster).build().start()) {
        assertThat(keel.topics().publish("api", "{\"x\":1}").get(10, java.util.concurrent.TimeUnit.SECONDS))
            .as("nodes that got it (none subscribed)").isZero();
        redis.kill();
        await().atMost(WAIT).until(() -> !cluster.relay().available());
        assertThat(keel.topics().publish("api", "{\"x\":2}"))
            .failsWithin(Duration.ofSeconds(10))
            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withCauseInstanceOf(dev.keel.api.UnavailableException.class);
      }
    }
  }

  @Test
  void passwordInTheUri_authenticates_wrongPasswordLeavesTheNodeDegraded() {
    try (RedisProcess redis = RedisProcess.startWithPassword("s3cret-pass")) {
      Running good = startNodes(redis, 1).get(0);
      Running bad = Servers.start(b -> b.set(RedisOptions.CLUSTER_REDIS, "redis://:wrong@127.0.0.1:" + redis.port()));
      try (WsClient sub = WsClient.connect(good.wsPort())) {
        assertThat(good.relay().available()).as("authenticated with the URI's password").isTrue();
        sub.send("{\"op\":\"sub\",\"topic\":\"auth\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("subscribed");
        await().atMost(WAIT).until(() -> "{\"delivered\":1}".equals(
            Http.post(good.wsPort(), "/api/publish", "{\"topic\":\"auth\",\"data\":1}").body()));
        assertThat(sub.nextJson().get("data").asInt()).isEqualTo(1);
        assertThat(bad.relay().available()).as("wrong password").isFalse();
        assertThat(Http.get(bad.wsPort(), "/healthz").body()).isEqualTo("{\"status\":\"degraded\",\"redis\":\"down\"}");
        assertThat(Http.post(bad.wsPort(), "/api/publish", "{\"topic\":\"auth\",\"data\":2}").statusCode())
            .isEqualTo(503);
      } finally {
        good.close();
        bad.close();
      }
    }
  }

  static List<Running> startNodes(RedisProcess redis, int n) {
    return startNodes(redis, n, RedisOptions.CLUSTER_PUBLISH_INFLIGHT.defaultValue());
  }

  static List<Running> startNodes(RedisProcess redis, int n, int inflight) {
    List<Running> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(Servers.start(b -> b.set(RedisOptions.CLUSTER_REDIS, redis.uri()).set(RedisOptions.CLUSTER_PUBLISH_INFLIGHT, inflight).set(CoreOptions.IO_THREADS, 2)));
    }
    return servers;
  }
}
