package dev.keel.cluster.redis;

import static dev.keel.config.OptionSet.group;

import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import java.time.Duration;
import java.util.List;

/** Cluster mode's options, declared once (docs/configuration.md is generated from them). */
public final class RedisOptions {
  private RedisOptions() {}

  public static final Option<String> CLUSTER_REDIS = Option.text("cluster-redis", "URI", null)
      .optional()
      .check(RedisOptions::uriProblem)
      .display(uri -> uri.replaceAll(":[^:@/]*@", ":***@")) // never print the password
      .describe("Share topics with other nodes through Redis (redis://[:PASSWORD@]HOST:PORT, rediss:// for TLS); none: run alone.")
      .why("No Redis: the node runs alone, topics in memory (docs/cluster.md).")
      .details("Share topics with other Keel nodes through this Redis ([cluster.md](cluster.md)): publishes go through Redis, each node subscribes to a topic's channel while it has local subscribers. Unreachable at start: the node starts degraded and keeps retrying. The password is never shown (`--help`, logs).")
      .valid("`redis://[:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://` for TLS");
  public static final Option<Integer> CLUSTER_PUBLISH_INFLIGHT = Option.count("cluster-publish-inflight", 4096)
      .range(1, 1_000_000)
      .describe("Publishes sent to Redis and not yet answered; over: pub error unavailable, HTTP 503.")
      .details("Publishes sent to Redis and not yet answered. Past it, and whenever Redis is down, a publish is refused at once (`pub` with an `id`: error `unavailable`; HTTP publish: 503), counted in `keel_redis_publishes_refused`: nothing queues while Redis is away.");
  public static final Option<String> CLUSTER_REDIS_TRUST = Option.file("cluster-redis-trust", "PEM_FILE")
      .check(RedisOptions::certificatesProblem)
      .describe("CA certificate(s) that sign the rediss:// server's certificate; none: the JDK's default trust store.")
      .details("The CA certificate(s) that sign the Redis server's certificate, for `rediss://` ([cluster.md](cluster.md#tls-to-redis)). The server's certificate must also name the URI's host (an IP SAN for an address): hostnames are verified. Without it, only certificates from the JDK's public CAs are accepted.")
      .valid("a readable file with at least one X.509 certificate; only with a `rediss://` `cluster-redis`");
  public static final Option<Duration> CLUSTER_REDIS_PING_INTERVAL =
      Option.duration("cluster-redis-ping-interval", Duration.ofSeconds(2))
          .range(Duration.ofMillis(100), Duration.ofHours(1))
          .describe("Check both Redis connections this often; PING unanswered and nothing arrived for a whole interval: degraded, reconnect.")
          .why("A Redis that went silent (paused, or its host gone without a FIN) is noticed within two of"
              + " these instead of never (subscriptions) or at the 5 s command timeout (publishes).")
      .details("How often each of the two Redis connections (commands, subscriptions) is checked. A connection that is delivering data (replies, pub/sub messages, any bytes) is alive; it gets a `PING` when none is waiting for its answer, and the `PING` only matters when the connection has been quiet: still unanswered at a check, with nothing at all arrived on that connection since the previous check, it means Redis went silent (paused, hung, or the path to it gone without a FIN or RST). Then the node turns degraded (`/healthz` `degraded`, `keel_redis_up 0`, publishes refused), drops both connections and reconnects with backoff, resubscribing when Redis answers. A `PONG` that waits behind a publish storm the node is still reading is waited for. A silent Redis is noticed within about two intervals of its last byte.");

  public static final OptionSet SET = OptionSet.of("Cluster", List.of(
      group("Cluster mode (Redis)", CLUSTER_REDIS, CLUSTER_PUBLISH_INFLIGHT, CLUSTER_REDIS_TRUST,
          CLUSTER_REDIS_PING_INTERVAL)),
      List.of(c -> c.get(CLUSTER_REDIS_TRUST) == null
          || (c.get(CLUSTER_REDIS) != null && c.get(CLUSTER_REDIS).startsWith("rediss://")) ? null
          : "cluster-redis-trust is for TLS to Redis: it needs a rediss:// cluster-redis"));

  /** Null when {@code uri} is a usable redis:// or rediss:// URI; else what is wrong with it. */
  static String uriProblem(String uri) {
    java.net.URI u;
    try {
      u = new java.net.URI(uri);
    } catch (java.net.URISyntaxException e) {
      return "is not a URI (" + e.getReason() + "): use redis://HOST:PORT or rediss://:PASSWORD@HOST:PORT";
    }
    if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
      return "must start with redis:// or rediss://, was " + uri.replaceAll(":[^:@/]*@", ":***@");
    }
    if (u.getHost() == null || u.getHost().isBlank()) {
      return "has no host: use redis://HOST:PORT";
    }
    if (u.getPort() < -1 || u.getPort() == 0 || u.getPort() > 65535) {
      return "has an invalid port " + u.getPort();
    }
    return null;
  }

  /** Null when {@code file} holds at least one PEM X.509 certificate; else what is wrong with it. */
  static String certificatesProblem(String file) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
      if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        return file + " holds no PEM certificate";
      }
      return null;
    } catch (java.io.IOException | java.security.cert.CertificateException e) {
      return file + " holds no readable PEM certificate (" + e.getMessage() + ")";
    }
  }
}
