package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.serve.ServeOptions;
import dev.keel.testing.Http;
import dev.keel.testing.LeakReportExtension;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The start-up warm-up on the real server: it runs the broadcast path, then leaves nothing behind. */
@ExtendWith(LeakReportExtension.class)
class WarmupIT {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-warmup";

  @Test
  void warmup_deliversOverTheRealPath_thenClosesEveryConnectionCleanly() throws Exception {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(500))
        // default per-address limits: the warm-up must not use 127.0.0.1's connect budget
        .set(CoreOptions.MAX_CONNECTIONS_PER_IP, 1_000).set(CoreOptions.CONNECT_RATE_PER_IP, 20)
        .set(CoreOptions.CONNECT_BURST_PER_IP, 50))) {
      assertThat(server.delivered()).as("the warm-up's messages reached its subscribers").isGreaterThan(1_000);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 0);
      // 256 subscribers, the one that never reads and 8 publishers; then joiners, at least the first
      assertThat(server.opened()).as("the warm-up's connections, joiners among them").isGreaterThan(265);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.closed(CloseReason.CLIENT) == server.opened());
      for (int i = 0; i < 50; i++) {
        try (WsClient c = WsClient.connect(server.wsPort())) {
          c.send("{\"op\":\"ping\",\"id\":\"p\"}");
          assertThat(c.next(Duration.ofSeconds(5))).as("client %d from 127.0.0.1 right after the warm-up: its connect burst is untouched", i)
              .contains("pong");
        }
      }
    }
  }

  @Test
  void warmup_withAnHmacSecret_signsItsOwnToken() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.AUTH_HMAC_SECRET, SECRET))) {
      assertThat(server.delivered()).as("authenticated and delivered").isGreaterThan(100);
    }
  }

  @Test
  void healthz_saysWarmupDown_untilTheWarmupHasRun() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    int wsPort = port;
    java.util.concurrent.CompletableFuture<Running> started = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofSeconds(2)).set(CoreOptions.WS_PORT, wsPort)));
    try {
      java.util.concurrent.atomic.AtomicReference<String> starting = new java.util.concurrent.atomic.AtomicReference<>();
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
        var r = Http.get(wsPort, "/healthz");
        if (r.statusCode() == 503) {
          starting.set(r.body());
        }
        return starting.get() != null;
      });
      assertThat(starting.get()).as("not ready while warming up").isEqualTo("{\"status\":\"starting\",\"warmup\":\"down\"}");
      assertThat(started).as("the server is not started before its warm-up has run").isNotDone();
      Running server = started.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(server.delivered()).as("the warm-up ran").isPositive();
      assertThat(Http.get(wsPort, "/healthz").body()).as("warm: up").isEqualTo("{\"status\":\"up\"}");
    } finally {
      started.thenAccept(Running::close);
    }
  }

  @Test
  void warmup_isSkipped_whereMaxConnectionsLeavesItNoRoom() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.MAX_CONNECTIONS, 1_000))) {
      assertThat(server.opened()).as("no warm-up connection under a limit of 1,000 (it would take 329)").isZero();
      assertThat(server.delivered()).isZero();
    }
  }

  @Test
  void warmup_off_deliversNothing() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ZERO))) {
      assertThat(server.delivered()).as("nothing ran").isZero();
    }
  }
}
