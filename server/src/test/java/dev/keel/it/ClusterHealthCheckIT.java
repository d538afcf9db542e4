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
import dev.keel.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The periodic PING ({@code cluster-redis-ping-interval}): a Redis that goes silent without closing
 * its sockets (SIGSTOP) is noticed by the PINGs, not by a command timeout, and the nodes resubscribe
 * when it answers again.
 */
class ClusterHealthCheckIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration PING = Duration.ofMillis(500);
  /**
   * Degraded within this of the pause: a missed PING is seen within two intervals; the rest is room
   * for a busy machine. It stays under the 5 s command timeout, and node A sends no command at all
   * while paused (it only subscribes), so nothing but the PINGs can notice.
   */
  private static final Duration NOTICED_WITHIN = Duration.ofSeconds(4);

  @Test
  void redisPaused_nodesReportDegradedWithinTheBound_thenResubscribeAndDeliverWhenResumed() {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      Running a = startNode(redis);
      Running b = startNode(redis);
      try (WsClient sub = WsClient.connect(a.wsPort())) {
        sub.send("{\"op\":\"sub\",\"topic\":\"paused\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("subscribed");
        await("A subscribed").atMost(WAIT).until(() -> admin.numsub("keel:topic:paused") == 1);
        assertThat(Http.post(b.wsPort(), "/api/publish", "{\"topic\":\"paused\",\"data\":1}").body())
            .isEqualTo("{\"delivered\":1}");
        assertThat(sub.nextJson().get("seq").asLong()).isEqualTo(1);

        redis.pause();
        try {
          for (Running n : List.of(a, b)) {
            await("node reports degraded after Redis went silent").atMost(NOTICED_WITHIN)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Http.get(n.wsPort(), "/healthz").body()
                    .equals("{\"status\":\"degraded\",\"redis\":\"down\"}"));
            assertThat(Http.scrape(n.adminPort()).get("keel_redis_up")).as("keel_redis_up while paused").isEqualTo(0.0);
          }
          assertThat(Http.post(a.wsPort(), "/api/publish", "{\"topic\":\"paused\",\"data\":2}").statusCode())
              .as("publishes refused while degraded").isEqualTo(503);
        } finally {
          redis.resume();
        }

        await("both nodes back").atMost(WAIT).until(() -> a.relay().available() && b.relay().available());
        // The silent connection was dropped and a new one subscribed: exactly one subscriber again.
        await("A resubscribed on a new connection").atMost(WAIT)
            .until(() -> admin.numsub("keel:topic:paused") == 1 && admin.sync().clientList().lines()
                .filter(l -> l.contains("sub=1")).count() == 1);
        assertThat(Http.scrape(a.adminPort()).get("keel_redis_up")).isEqualTo(1.0);
        assertThat(Http.get(a.wsPort(), "/healthz").body()).isEqualTo("{\"status\":\"up\"}");
        assertThat(Http.post(b.wsPort(), "/api/publish", "{\"topic\":\"paused\",\"data\":3}").body())
            .isEqualTo("{\"delivered\":1}");
        JsonNode m = sub.nextJson();
        assertThat(m.get("data").asInt()).as("delivery resumed; the refused publish took no seq").isEqualTo(3);
        assertThat(m.get("seq").asLong()).isEqualTo(2);
      } finally {
        a.close();
        b.close();
      }
    }
  }

  private static Running startNode(RedisProcess redis) {
    return Servers.start(b -> b.set(RedisOptions.CLUSTER_REDIS, redis.uri()).set(RedisOptions.CLUSTER_REDIS_PING_INTERVAL, PING).set(CoreOptions.IO_THREADS, 1));
  }
}
