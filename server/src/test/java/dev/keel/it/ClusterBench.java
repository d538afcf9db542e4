package dev.keel.it;

import dev.keel.cluster.redis.RedisOptions;
import dev.keel.config.Ports;
import dev.keel.config.CoreOptions;
import dev.keel.admin.AdminOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.Running;
import dev.keel.cluster.redis.RedisProcess;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Deliveries per second, alone and across Redis-connected nodes: one topic, {@value #SUBSCRIBERS}
 * framed-TCP subscribers spread over the nodes, {@value #MESSAGES} messages published on node 0,
 * timed from the first publish until every subscriber has read every message. Run by hand
 * (docs/cluster.md gives the command). Leak detection is off while it runs (paranoid tracking costs far
 * more than the work measured) and back to paranoid before the class's leak check.
 */
@EnabledIfSystemProperty(named = "keel.bench", matches = "true")
class ClusterBench {
  private static final int SUBSCRIBERS = 400;
  private static final int MESSAGES = 2_000;
  /** Round 1 includes JIT warm-up; compare the later rounds. */
  private static final int ROUNDS = Integer.getInteger("keel.bench.rounds", 5);

  @BeforeAll
  static void leakDetectionOff() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
  }

  @AfterAll
  static void leakDetectionBack() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @Test
  void deliveriesPerSecond_aloneOneNodeAndTwoNodes() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      for (int round = 1; round <= ROUNDS; round++) {
        report("alone (no Redis), 1 node ", round, run(1, null));
        report("cluster, 1 node           ", round, run(1, redis));
        report("cluster, 2 nodes          ", round, run(2, redis));
      }
    }
  }

  private static void report(String what, int round, double perSecond) {
    System.out.printf("BENCH %s round %d: %,.0f deliveries/s (%d subscribers x %d messages)%n",
        what, round, perSecond, SUBSCRIBERS, MESSAGES);
  }

  private static double run(int nodes, RedisProcess redis) throws Exception {
    UnaryOperator<dev.keel.config.KeelConfig.Builder> tune = redis == null ? b -> b : b -> b.set(RedisOptions.CLUSTER_REDIS, redis.uri());
    List<Running> servers = new ArrayList<>();
    List<TcpClient> subs = new ArrayList<>();
    try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < nodes; i++) {
        servers.add(Servers.start(b -> tune.apply(b).set(CoreOptions.IO_THREADS, 1).set(AdminOptions.ADMIN_PORT, Ports.OFF)));
      }
      for (int i = 0; i < SUBSCRIBERS; i++) {
        TcpClient c = TcpClient.connect(servers.get(i % nodes).tcpPort(),
            InetAddress.getByName("127.0.0." + (2 + i % 200)), 0);
        c.send("{\"op\":\"sub\",\"topic\":\"bench\"}");
        subs.add(c);
      }
      for (TcpClient c : subs) {
        assertThat(c.readJson().get("op").asText()).isEqualTo("subscribed");
        c.setReadTimeout(Duration.ofSeconds(60));
      }
      if (redis != null) {
        try (RedisProcess.Admin admin = redis.admin()) {
          org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
              .until(() -> admin.numsub("keel:topic:bench") == nodes);
        }
      }
      List<Future<Long>> done = new ArrayList<>();
      for (TcpClient c : subs) {
        done.add(readers.submit(() -> {
          for (int n = 0; n < MESSAGES; n++) {
            c.read();
          }
          return System.nanoTime();
        }));
      }
      byte[] data = "{\"n\":1,\"text\":\"a benchmark message of about sixty bytes\"}".getBytes(StandardCharsets.UTF_8);
      Semaphore window = new Semaphore(256); // publishes waiting at once, under cluster-publish-inflight
      long start = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) {
        window.acquire();
        servers.get(0).publish("bench", data, n -> window.release(), reason -> {
          window.release();
          throw new AssertionError("publish refused: " + reason);
        });
      }
      long end = start;
      for (Future<Long> f : done) {
        end = Math.max(end, f.get(120, TimeUnit.SECONDS));
      }
      return (double) SUBSCRIBERS * MESSAGES / ((end - start) / 1e9);
    } finally {
      subs.forEach(TcpClient::close);
      servers.forEach(Running::close);
    }
  }
}
