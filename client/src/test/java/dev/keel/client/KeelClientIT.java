package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Java client against the real server over loopback: each scenario shows the client's events and
 * what the application's handler saw (with history on: every message once, in order).
 */
class KeelClientIT {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-client";

  private static KeelClient client(URI uri, Events events, java.util.function.UnaryOperator<ClientOptions.Builder> tune) {
    return KeelClient.connect(tune.apply(ClientOptions.builder(uri).onEvent(events)
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))).build());
  }

  private static String n(int i) {
    return "{\"n\":" + i + "}";
  }

  @Test
  void publish_isAcknowledged_andTheSubscriberGetsIt() throws Exception {
    try (TestServer server = TestServer.start()) {
      Events events = new Events();
      Received got = new Received();
      try (KeelClient c = client(server.uri(), events, b -> b)) {
        c.subscribe("news", got);
        events.await(ClientEvent.Subscribed.class, s -> s.topic().equals("news"));
        for (int i = 1; i <= 3; i++) {
          c.publishAndWait("news", n(i), Duration.ofSeconds(10));
        }
        got.awaitCount(3);
        got.assertExactlyOnceInOrder(3);
        assertThat(c.publish("no spaces allowed", "1")).as("the server's refusal reaches the future")
            .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withCauseInstanceOf(KeelException.class).withMessageContaining("bad_request");
        assertThat(c.publish("news", "{not json")).as("refused before it is sent")
            .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withMessageContaining("bad_request");
      }
      assertThat(events.of(ClientEvent.Stopped.class)).as("close stops it: " + events).hasSize(1);
    }
  }

  @Test
  void serverRestartedMidStream_reconnects_andSaysTheEpochChanged() {
    Events events = new Events();
    Received got = new Received();
    TestServer first = TestServer.start();
    int port = first.port();
    KeelClient c = client(first.uri(), events, b -> b);
    try {
      c.subscribe("news", got);
      events.await(ClientEvent.Subscribed.class, s -> true);
      for (int i = 1; i <= 5; i++) {
        first.publish("news", n(i));
      }
      got.awaitCount(5);
      first.close();
      events.await(ClientEvent.Disconnected.class, d -> d.kind() == CloseKind.GOING_AWAY);
      events.await(ClientEvent.Reconnecting.class, r -> true);
      try (TestServer second = TestServer.start(port, b -> b)) {
        ClientEvent.Subscribed again = events.await(ClientEvent.Subscribed.class, 2, s -> true);
        assertThat(again.attempted()).as("asked to recover: " + events).isTrue();
        assertThat(again.recovered()).as("a new process: nothing to recover from").isFalse();
        assertThat(again.reason()).as("why").isEqualTo("epoch_changed");
        for (int i = 6; i <= 8; i++) {
          second.publish("news", n(i));
        }
        got.awaitCount(8);
        got.assertExactlyOnceInOrder(8);
      }
    } finally {
      c.close();
    }
  }

  @Test
  void connectionReset_fiveTimesMidStream_theApplicationSeesEveryMessageOnceInOrder() throws Exception {
    try (TestServer server = TestServer.start(); ResettingProxy proxy = new ResettingProxy(server.port())) {
      Events events = new Events();
      Received got = new Received();
      try (KeelClient c = client(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), events, b -> b)) {
        c.subscribe("news", got);
        events.await(ClientEvent.Subscribed.class, s -> true);
        int next = 1;
        for (int round = 0; round < 5; round++) {
          for (int i = 0; i < 50; i++) {
            server.publish("news", n(next++));
          }
          int seen = round * 50 + 10;
          got.awaitCount(seen);
          proxy.resetAll();
          events.await(ClientEvent.Subscribed.class, round + 2, s -> true);
        }
        got.awaitCount(250);
        got.assertExactlyOnceInOrder(250);
        assertThat(events.of(ClientEvent.Disconnected.class)).as("five resets: " + events).hasSize(5)
            .allMatch(d -> d.kind() == CloseKind.CONNECTION_LOST);
        assertThat(events.of(ClientEvent.Subscribed.class).subList(1, 6)).as("each reconnect recovered")
            .allMatch(s -> s.attempted() && s.recovered());
        assertThat(events.of(ClientEvent.Gap.class)).as("no gap").isEmpty();
      }
    }
  }

  @Test
  void handlerSlowerThanTheLivenessWindow_isNotTakenForADeadServer() throws Exception {
    try (TestServer server = TestServer.start()) {
      Events events = new Events();
      Received got = new Received();
      CountDownLatch never = new CountDownLatch(1);
      try (KeelClient c = client(server.uri(), events, b -> b.ping(Duration.ofMillis(200), Duration.ofMillis(300)))) {
        c.subscribe("news", m -> {
          if (m.seq() == 1) {
            try {
              // The application takes 1.5 s on its first message: three times the 500 ms liveness window.
              assertThat(never.await(1500, TimeUnit.MILLISECONDS)).as("nobody opens this latch").isFalse();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          got.accept(m);
        });
        events.await(ClientEvent.Subscribed.class, s -> true);
        server.publish("news", n(1));
        server.publish("news", n(2));
        got.awaitCount(2); // the liveness check overdue during the stall ran before the second frame
        c.publishAndWait("news", n(3), Duration.ofSeconds(10));
        got.awaitCount(3);
        got.assertExactlyOnceInOrder(3);
        assertThat(events.of(ClientEvent.Disconnected.class)).as("a slow handler is not a silent server: " + events)
            .isEmpty();
      }
    }
  }

  @Test
  void slowConsumerCut_reconnects_andNothingIsLostSilently() throws Exception {
    // The goodbye (close 1008) waits behind what the socket buffers already hold, which the client
    // reads one 60 kB frame per handler call once released. With the default 1 s close timeout the
    // server may close before a busy machine's client has read that far (it then sees 1006,
    // CONNECTION_LOST: right for a client that never catches up, not what this test checks). So the
    // handler is released once the cut has begun (the ledger's `closing`), and has 30 s to get there.
    try (TestServer server = TestServer.start(0, b -> b.set(CoreOptions.OUTBOUND_QUEUE_BYTES, 128 * 1024)
        .set(CoreOptions.HISTORY_MAX_BYTES, 32 << 20).set(CoreOptions.CLOSE_TIMEOUT, Duration.ofSeconds(30)))) {
      Events events = new Events();
      CountDownLatch release = new CountDownLatch(1);
      Received got = new Received();
      try (KeelClient c = client(server.uri(), events, b -> b)) {
        c.subscribe("news", m -> {
          try {
            release.await(60, TimeUnit.SECONDS); // the application stalls on its first message
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          got.accept(m);
        });
        events.await(ClientEvent.Subscribed.class, s -> true);
        String pad = "x".repeat(60_000);
        int published = 0;
        while (published < 2000 && (published % 50 != 0 || !server.slowConsumerCutBegun())) {
          published++;
          server.publish("news", "{\"n\":" + published + ",\"pad\":\"" + pad + "\"}");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.slowConsumerCutBegun());
        release.countDown();
        events.await(ClientEvent.Disconnected.class, d -> d.kind() == CloseKind.SLOW_CONSUMER);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.probe.closed(CloseReason.SLOW_CONSUMER) > 0);
        published++;
        server.publish("news", "{\"n\":" + published + ",\"pad\":\"\"}");
        int last = published;
        await().atMost(Duration.ofSeconds(60)).until(() -> !got.all.isEmpty()
            && got.all.get(got.all.size() - 1).data().startsWith("{\"n\":" + last + ","));
        List<Long> seqs = got.all.stream().map(Message::seq).toList();
        assertThat(seqs).as("in order, never twice").isSorted().doesNotHaveDuplicates();
        boolean allRecovered = events.of(ClientEvent.Subscribed.class).stream().skip(1).allMatch(ClientEvent.Subscribed::recovered);
        if (allRecovered) {
          assertThat(seqs).as("recovered every time: every message, " + events.of(ClientEvent.Subscribed.class)).hasSize(last);
        } else {
          assertThat(events.of(ClientEvent.Subscribed.class)).as("what it missed was reported")
              .anyMatch(s -> s.attempted() && !s.recovered());
        }
      }
    }
  }

  @Test
  void overloadedRefusal_backsOffLonger_thenConnects() throws Exception {
    try (TestServer server = TestServer.start(0, b -> b.set(CoreOptions.MAX_CONNECTIONS, 1))) {
      Events firstEvents = new Events();
      KeelClient holder = client(server.uri(), firstEvents, b -> b);
      assertThat(holder.awaitConnected(Duration.ofSeconds(10))).as("the one slot taken").isTrue();
      Events events = new Events();
      try (KeelClient c = client(server.uri(), events, b -> b.backoff(Duration.ofMillis(100), Duration.ofSeconds(2)))) {
        events.await(ClientEvent.Reconnecting.class, 3, r -> r.cause() == CloseKind.OVERLOADED);
        List<ClientEvent.Reconnecting> waits = events.of(ClientEvent.Reconnecting.class);
        long[] ceilings = {400, 800, 1600};
        for (int i = 0; i < 3; i++) {
          assertThat(waits.get(i).delay().toMillis()).as("after a 503, at least half of a ceiling two steps on: " + waits)
              .isBetween(ceilings[i] / 2, ceilings[i]);
        }
        holder.close();
        assertThat(c.awaitConnected(Duration.ofSeconds(10))).as("admitted once the slot is free").isTrue();
      }
    }
  }

  private static String token(Duration life) {
    try {
      JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("svc").expirationTime(Date.from(Instant.now().plus(life)))
          .claim("keel", Map.of("sub", List.of(">"), "pub", List.of(">"))).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void tokenExpiry_refreshedInTime_orReconnectedWithAFreshOne_losesNothing() throws Exception {
    try (TestServer server = TestServer.start(0, b -> b.set(CoreOptions.AUTH_HMAC_SECRET, SECRET))) {
      Events refreshing = new Events();
      try (KeelClient c = client(server.uri(), refreshing, b -> b.token(() -> token(Duration.ofSeconds(3))))) {
        refreshing.await(ClientEvent.TokenRefreshed.class, 2, t -> true);
        assertThat(c.awaitConnected(Duration.ofSeconds(1))).as("still connected after two refreshes").isTrue();
        assertThat(refreshing.of(ClientEvent.Disconnected.class)).as("refreshed before expiry: never cut").isEmpty();
      }

      AtomicInteger calls = new AtomicInteger();
      Events events = new Events();
      Received got = new Received();
      // First a short token, then no refresh (the supplier returns nothing), then a long one on reconnect.
      try (KeelClient c = client(server.uri(), events, b -> b.token(() -> switch (calls.incrementAndGet()) {
        case 1 -> token(Duration.ofSeconds(2));
        case 2 -> null;
        default -> token(Duration.ofMinutes(5));
      }))) {
        c.subscribe("news", got);
        events.await(ClientEvent.Subscribed.class, s -> true);
        server.publish("news", n(1));
        got.awaitCount(1);
        events.await(ClientEvent.Disconnected.class, d -> d.kind() == CloseKind.TOKEN_EXPIRED);
        server.publish("news", n(2));
        events.await(ClientEvent.Subscribed.class, s -> s.attempted() && s.recovered());
        server.publish("news", n(3));
        got.awaitCount(3);
        got.assertExactlyOnceInOrder(3);
      }
      Events refused = new Events();
      try (KeelClient c = client(server.uri(), refused, b -> b.token(() -> "not-a-token"))) {
        ClientEvent.Stopped stopped = refused.await(ClientEvent.Stopped.class, s -> true);
        assertThat(c.awaitConnected(Duration.ofMillis(100))).as("never connected").isFalse();
        assertThat(stopped.kind()).as("401 stops: " + refused).isEqualTo(CloseKind.UNAUTHORIZED);
        assertThat(refused.of(ClientEvent.Reconnecting.class)).as("no retry after a 401").isEmpty();
      }
    }
  }

  @Test
  void offlinePublishes_areBufferedToTheBound_andTheOverflowIsReported() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Events events = new Events();
    try (KeelClient c = client(URI.create("ws://127.0.0.1:" + port + "/ws"), events, b -> b.offlineBufferMessages(2))) {
      CompletableFuture<Void> a = c.publish("news", n(1));
      CompletableFuture<Void> b = c.publish("news", n(2));
      CompletableFuture<Void> over = c.publish("news", n(3));
      assertThat(over).as("the third does not fit").failsWithin(Duration.ofSeconds(5));
      assertThat(events.await(ClientEvent.BufferOverflow.class, e -> true).bound()).as("reported").isEqualTo(2);
      try (TestServer server = TestServer.start(port, x -> x)) {
        assertThat(server.port()).as("the server the client waits for").isEqualTo(port);
        assertThat(a).as("sent on connect").succeedsWithin(Duration.ofSeconds(30));
        assertThat(b).as("sent on connect").succeedsWithin(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void silentServer_isDetectedByThePing_andTheClientReconnects() throws Exception {
    try (TestServer server = TestServer.start(); ResettingProxy proxy = new ResettingProxy(server.port())) {
      Events events = new Events();
      Received got = new Received();
      try (KeelClient c = client(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), events,
          b -> b.ping(Duration.ofMillis(300), Duration.ofMillis(300)))) {
        c.subscribe("news", got);
        events.await(ClientEvent.Subscribed.class, s -> true);
        server.publish("news", n(1));
        got.awaitCount(1);
        proxy.freezeAll(); // bytes stop flowing, no close, no reset
        server.publish("news", n(2));
        events.await(ClientEvent.Disconnected.class, d -> d.kind() == CloseKind.LIVENESS);
        events.await(ClientEvent.Subscribed.class, s -> s.attempted() && s.recovered());
        got.awaitCount(2);
        got.assertExactlyOnceInOrder(2);
      }
    }
  }
}
