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
import org.junit.jupiter.api.Test;

/**
 * Cluster mode over {@code rediss://}: a redis-server with TLS only (no plaintext port), a password,
 * and a CA made by the test, trusted through {@code cluster-redis-trust}.
 */
class ClusterTlsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String PASSWORD = "tls-s3cret";

  @Test
  void rediss_withPasswordAndTrustedCa_twoNodesPublishAndReceiveThroughTls() {
    try (RedisProcess redis = RedisProcess.startTls(PASSWORD); RedisProcess.Admin admin = redis.admin()) {
      assertThat(redis.uri()).startsWith("rediss://:" + PASSWORD + "@");
      assertThat(admin.sync().configGet("port")).as("no plaintext listener").containsEntry("port", "0");
      Running a = startNode(redis);
      Running b = startNode(redis);
      try (WsClient sub = WsClient.connect(b.wsPort()); WsClient pub = WsClient.connect(a.wsPort())) {
        assertThat(a.relay().available()).as("node A connected over TLS with the password").isTrue();
        assertThat(b.relay().available()).as("node B connected over TLS with the password").isTrue();
        sub.send("{\"op\":\"sub\",\"topic\":\"secure\"}");
        assertThat(sub.nextJson().get("op").asText()).isEqualTo("subscribed");
        await("B subscribed through TLS").atMost(WAIT).until(() -> admin.numsub("keel:topic:secure") == 1);

        pub.send("{\"op\":\"pub\",\"topic\":\"secure\",\"data\":\"over tls\",\"id\":7}");
        assertThat(pub.nextJson().toString()).isEqualTo("{\"op\":\"ok\",\"id\":7}");
        assertThat(Http.post(a.wsPort(), "/api/publish", "{\"topic\":\"secure\",\"data\":2}").body())
            .isEqualTo("{\"delivered\":1}");
        JsonNode first = sub.nextJson();
        JsonNode second = sub.nextJson();
        assertThat(first.get("seq").asLong()).isEqualTo(1);
        assertThat(first.get("data").asText()).isEqualTo("over tls");
        assertThat(second.get("seq").asLong()).isEqualTo(2);
        assertThat(second.get("data").asInt()).isEqualTo(2);
        assertThat(Http.get(a.wsPort(), "/healthz").body()).isEqualTo("{\"status\":\"up\"}");
      } finally {
        a.close();
        b.close();
      }
    }
  }

  @Test
  void rediss_withoutTrustingItsCa_refusesTheCertificate_nodeStaysDegraded() {
    try (RedisProcess redis = RedisProcess.startTls(PASSWORD)) {
      // No cluster-redis-trust: the JDK's default trust store does not know the test's CA.
      Running n = Servers.start(b -> b.set(RedisOptions.CLUSTER_REDIS, redis.uri()).set(CoreOptions.IO_THREADS, 1));
      try {
        assertThat(n.relay().available()).as("an untrusted Redis certificate is not accepted").isFalse();
        assertThat(Http.get(n.wsPort(), "/healthz").body()).isEqualTo("{\"status\":\"degraded\",\"redis\":\"down\"}");
        assertThat(Http.post(n.wsPort(), "/api/publish", "{\"topic\":\"t\",\"data\":1}").statusCode())
            .isEqualTo(503);
      } finally {
        n.close();
      }
    }
  }

  private static Running startNode(RedisProcess redis) {
    return Servers.start(b -> b.set(RedisOptions.CLUSTER_REDIS, redis.uri()).set(RedisOptions.CLUSTER_REDIS_TRUST, redis.caPem().toString()).set(CoreOptions.IO_THREADS, 2));
  }
}
