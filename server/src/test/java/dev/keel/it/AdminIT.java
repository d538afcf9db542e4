package dev.keel.it;

import dev.keel.config.CoreOptions;
import dev.keel.admin.AdminOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.SlowConsumerPolicy;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.Http;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener: metrics move exactly as a scripted session says, and every debug endpoint answers. */
class AdminIT {
  private Running server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Running startStalling(SlowConsumerPolicy policy) {
    return Servers.start(b -> b
        .set(CoreOptions.MAX_MESSAGE_SIZE, 4096)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 16 * 1024)
        .set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 32)
        .set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 8 * 1024)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 4 * 1024)
        .set(CoreOptions.SLOW_CONSUMER_POLICY, policy)
        .set(CoreOptions.WRITE_TIMEOUT, Duration.ofSeconds(60))
        .set(CoreOptions.RATE_LIMIT, 100_000)
        .set(CoreOptions.RATE_BURST, 100_000));
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
    assertThat(after).as("metric %s is exported", sample).containsKey(sample);
    return after.get(sample) - before.getOrDefault(sample, 0.0);
  }

  @Test
  void metricsMoveExactlyForAScriptedSession() {
    server = startStalling(SlowConsumerPolicy.DISCONNECT);
    int admin = server.adminPort();
    Map<String, Double> before = Http.scrape(admin);
    int published = 300;
    String data = "\"" + "d".repeat(1000) + "\"";
    try (WsClient ws = WsClient.connect(server.wsPort());
        TcpClient tcp = TcpClient.connect(server.tcpPort());
        TcpClient stalled = TcpClient.connect(server.tcpPort(), null, 2048)) {
      ws.send("{\"op\":\"sub\",\"topic\":\"m\"}");
      ws.next();
      tcp.send("{\"op\":\"sub\",\"topic\":\"m\"}");
      tcp.read();
      stalled.send("{\"op\":\"sub\",\"topic\":\"m\"}");
      stalled.read();
      Map<String, Double> open = Http.scrape(admin);
      assertThat(open.get("keel_connections{transport=\"ws\"}")).as("live ws").isEqualTo(1.0);
      assertThat(open.get("keel_connections{transport=\"tcp\"}")).as("live tcp").isEqualTo(2.0);
      assertThat(open.get("keel_subscriptions")).as("subscriptions").isEqualTo(3.0);
      assertThat(open.get("keel_topics")).as("topics").isEqualTo(1.0);

      for (int i = 0; i < published; i++) {
        ws.send("{\"op\":\"pub\",\"topic\":\"m\",\"data\":" + data + "}");
        ws.next(); // its own copy: the publisher keeps up
        tcp.read(); // and so does the fast TCP subscriber, however busy the machine (never 32 behind)
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.closed(CloseReason.SLOW_CONSUMER) == 1);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 0);
    Map<String, Double> after = Http.scrape(admin);

    assertThat(delta(before, after, "keel_connections_opened_total{transport=\"ws\"}")).isEqualTo(1);
    assertThat(delta(before, after, "keel_connections_opened_total{transport=\"tcp\"}")).isEqualTo(2);
    assertThat(delta(before, after, "keel_connections_closed_total{reason=\"client\",transport=\"ws\"}")).isEqualTo(1);
    assertThat(delta(before, after, "keel_connections_closed_total{reason=\"client\",transport=\"tcp\"}")).isEqualTo(1);
    assertThat(delta(before, after, "keel_connections_closed_total{reason=\"slow_consumer\",transport=\"tcp\"}"))
        .as("the stalled subscriber, cut off").isEqualTo(1);
    assertThat(delta(before, after, "keel_messages_received_total{transport=\"ws\"}")).as("sub + pubs").isEqualTo(1 + published);
    assertThat(delta(before, after, "keel_messages_received_total{transport=\"tcp\"}")).as("two subs").isEqualTo(2);
    assertThat(delta(before, after, "keel_messages_published_total")).isEqualTo(published);
    assertThat(delta(before, after, "keel_publish_fanout_count")).as("one fan-out per publish").isEqualTo(published);
    double delivered = delta(before, after, "keel_messages_delivered_total");
    assertThat(delivered).as("every message to the two readers, some to the stalled one before its cut-off")
        .isGreaterThanOrEqualTo(2.0 * published).isLessThan(3.0 * published);
    assertThat(delta(before, after, "keel_publish_fanout_sum")).as("fan-out sizes add up to the deliveries")
        .isGreaterThanOrEqualTo(delivered);
    assertThat(delta(before, after, "keel_messages_dropped_total{policy=\"disconnect\"}")).isZero();
    assertThat(delta(before, after, "keel_rate_limited_total")).isZero();
    assertThat(after.get("keel_connections{transport=\"ws\"}")).isZero();
    assertThat(after.get("keel_connections{transport=\"tcp\"}")).isZero();
    assertThat(after.get("keel_outbound_queued_bytes")).isZero();
    assertThat(after.get("keel_topics")).isZero();
    assertThat(after.get("keel_subscriptions")).isZero();
    assertThat(after).as("JVM and allocator binders").containsKeys("jvm_threads_live_threads",
        "keel_netty_direct_memory_used_bytes", "keel_netty_heap_memory_used_bytes");
    assertThat(after.keySet()).as("Netty allocator binder").anyMatch(k -> k.startsWith("netty_allocator_memory_used"));
    assertThat(after.keySet()).as("GC binder").anyMatch(k -> k.startsWith("jvm_gc_"));
  }

  @Test
  void connectionLedgerRanksTheStalledSubscriberFirstByQueuedBytes() {
    server = startStalling(SlowConsumerPolicy.DROP_NEWEST);
    try (TcpClient fast = TcpClient.connect(server.tcpPort());
        TcpClient stalled = TcpClient.connect(server.tcpPort(), null, 2048);
        TcpClient pub = TcpClient.connect(server.tcpPort())) {
      fast.send("{\"op\":\"sub\",\"topic\":\"s\"}");
      fast.read();
      stalled.send("{\"op\":\"sub\",\"topic\":\"s\"}");
      stalled.read();
      String data = "\"" + "q".repeat(1000) + "\"";
      for (int i = 0; i < 200; i++) {
        pub.send("{\"op\":\"pub\",\"topic\":\"s\",\"data\":" + data + "}");
        fast.read();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.queuedBytes() > 0);
      JsonNode body = WsClient.parse(Http.get(server.adminPort(), "/debug/connections?sort=queued&limit=2").body());
      JsonNode first = body.get("connections").get(0);
      assertThat(first.get("remote").asText()).as("first by queued bytes is the stalled subscriber")
          .contains(":" + stalled.socket().getLocalPort());
      assertThat(first.get("queuedBytes").asLong()).as("its queued bytes").isPositive();
      assertThat(first.get("drops").asLong()).as("its drops under drop-newest").isPositive();
      assertThat(first.get("subscriptions").asInt()).isEqualTo(1);
      assertThat(first.get("transport").asText()).isEqualTo("tcp");
      for (String field : new String[] {"id", "ageMs", "queuedMessages", "messagesIn", "messagesOut",
          "sinceLastReadMs", "sinceLastWriteMs", "rateLimited"}) {
        assertThat(first.has(field)).as("ledger row has %s", field).isTrue();
      }
      assertThat(first.get("closing").isNull()).as("open: no close begun").isTrue();
      assertThat(body.get("connections").size()).as("limit").isEqualTo(2);
      JsonNode byDrops = WsClient.parse(Http.get(server.adminPort(), "/debug/connections?sort=drops&limit=1").body());
      assertThat(byDrops.get("connections").get(0).get("remote").asText()).contains(":" + stalled.socket().getLocalPort());
      assertThat(Http.get(server.adminPort(), "/debug/connections?sort=size").statusCode()).as("bad sort").isEqualTo(400);
    }
  }

  @Test
  void connectionLedgerShowsACutSubscriberWaitingOutItsGoodbye() throws Exception {
    // The stalled peer reads nothing, so its goodbye cannot reach it: the server holds the connection
    // for close-timeout (long here), and the ledger says why it is closing meanwhile.
    server = Servers.start(b -> b
        .set(CoreOptions.MAX_MESSAGE_SIZE, 4096)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 16 * 1024)
        .set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 8 * 1024)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 4 * 1024)
        .set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.DISCONNECT)
        .set(CoreOptions.CLOSE_TIMEOUT, Duration.ofSeconds(60))
        .set(CoreOptions.RATE_LIMIT, 100_000)
        .set(CoreOptions.RATE_BURST, 100_000));
    try (TcpClient stalled = TcpClient.connect(server.tcpPort(), null, 2048);
        TcpClient pub = TcpClient.connect(server.tcpPort())) {
      stalled.send("{\"op\":\"sub\",\"topic\":\"c\"}");
      stalled.read();
      String data = "\"" + "c".repeat(1000) + "\"";
      String port = ":" + stalled.socket().getLocalPort();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        for (int i = 0; i < 20; i++) {
          pub.send("{\"op\":\"pub\",\"topic\":\"c\",\"data\":" + data + "}");
        }
        return "slow_consumer".equals(closingOf(port));
      });
      assertThat(server.closed(CloseReason.SLOW_CONSUMER)).as("not ended yet: it waits for its goodbye to be taken").isZero();
      assertThat(closingOf(":" + pub.socket().getLocalPort())).as("the publisher is open").isNull();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.closed(CloseReason.SLOW_CONSUMER) == 1);
  }

  @Test
  void connectionLedgerSaysWhyAThrottledConnectionIsNotRead() {
    // One token a second: twenty messages at once leave nineteen waiting, and the socket unread, for
    // many seconds; the quiet connection beside it is read as usual.
    server = Servers.start(b -> b.set(CoreOptions.RATE_LIMIT, 1).set(CoreOptions.RATE_BURST, 1));
    try (TcpClient flooder = TcpClient.connect(server.tcpPort()); TcpClient quiet = TcpClient.connect(server.tcpPort())) {
      quiet.send("{\"op\":\"sub\",\"topic\":\"q\"}");
      quiet.read();
      for (int i = 0; i < 20; i++) {
        flooder.send("{\"op\":\"echo\",\"data\":" + i + "}");
      }
      String flooderPort = ":" + flooder.socket().getLocalPort();
      await().atMost(Duration.ofSeconds(10)).until(() -> "rate_limit".equals(columnOf(flooderPort, "readHeld")));
      assertThat(columnOf(":" + quiet.socket().getLocalPort(), "readHeld")).as("the quiet connection is read").isNull();
    }
  }

  /** The {@code closing} column of the ledger row whose remote address ends in {@code port}, or null. */
  private String closingOf(String port) {
    return columnOf(port, "closing");
  }

  /** A text column of the ledger row whose remote address ends in {@code port}, or null. */
  private String columnOf(String port, String column) {
    JsonNode rows = WsClient.parse(Http.get(server.adminPort(), "/debug/connections?limit=100").body()).get("connections");
    for (JsonNode row : rows) {
      if (row.get("remote").asText().endsWith(port)) {
        assertThat(row.has(column)).as("ledger row has %s: %s", column, row).isTrue();
        return row.get(column).isNull() ? null : row.get(column).asText();
      }
    }
    throw new AssertionError("no ledger row for " + port + ": " + rows);
  }

  @Test
  void memoryHeapAndThreadEndpointsAnswerWellFormedJson() {
    server = Servers.start();
    JsonNode mem = WsClient.parse(Http.get(server.adminPort(), "/debug/memory").body());
    for (String key : new String[] {"timestampMs", "uptimeMs", "heapUsedBytes", "heapCommittedBytes", "heapMaxBytes",
        "heapAfterGcBytes", "nettyDirectBytes", "nettyHeapBytes", "nettyChunkBytes", "nettyDirectArenas",
        "jvmDirectBytes", "jvmMappedBytes", "rssBytes", "threads", "platformThreads", "virtualThreads", "openFds",
        "maxFds", "connections", "closed", "queuedBytes", "topics", "subscriptions", "gcCount", "gcTimeMs"}) {
      assertThat(mem.has(key)).as("/debug/memory has %s", key).isTrue();
    }
    assertThat(mem.get("nettyChunkBytes").asLong()).as("the allocator's chunk").isPositive();
    assertThat(mem.get("nettyDirectArenas").asLong()).as("its direct arenas").isPositive();
    try (dev.keel.testing.TcpClient c = dev.keel.testing.TcpClient.connect(server.tcpPort())) {
      c.send("{\"op\":\"ping\"}");
      c.read();
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        WsClient.parse(Http.get(server.adminPort(), "/debug/memory").body()).get("closed").path("client").asLong() == 1);
    assertThat(mem.get("heapUsedBytes").asLong()).isPositive();
    assertThat(mem.get("rssBytes").asLong()).as("RSS read from /proc").isPositive();
    assertThat(mem.get("openFds").asLong()).isPositive();

    JsonNode heap = WsClient.parse(Http.get(server.adminPort(), "/debug/heap?limit=5").body());
    assertThat(heap.get("rows").size()).as("histogram rows").isEqualTo(5);
    assertThat(heap.get("rows").get(0).get("bytes").asLong()).as("largest class first")
        .isGreaterThanOrEqualTo(heap.get("rows").get(1).get("bytes").asLong());

    try (TcpClient c = TcpClient.connect(server.tcpPort())) {
      c.send("{\"op\":\"ping\"}");
      c.read(); // an event loop now runs (Netty starts them on first use)
      HttpResponse<String> threads = Http.get(server.adminPort(), "/debug/threads");
      assertThat(threads.statusCode()).isEqualTo(200);
      JsonNode dump = WsClient.parse(threads.body()).get("threadDump");
      assertThat(dump.get("threadContainers").isArray()).as("JSON thread dump with containers").isTrue();
      assertThat(threads.body()).as("the event loops are in the dump").contains("keel-io");
    }
  }

  @Test
  void jfrRecordsOneSecondAndRefusesASecondRecordingMeanwhile(@TempDir Path dir) throws Exception {
    server = Servers.start();
    // The second request must come while the first records. Which of two requests sent together
    // reaches the server first is up to the machine: an attempt where the second won (it recorded
    // itself, 200) proves nothing, and is made again.
    HttpResponse<byte[]> r = null;
    int second = 0;
    for (int attempt = 0; attempt < 5 && second != 409; attempt++) {
      CompletableFuture<HttpResponse<byte[]>> first =
          CompletableFuture.supplyAsync(() -> Http.getBytes(server.adminPort(), "/debug/jfr?seconds=3"));
      await().atMost(Duration.ofSeconds(10)).until(() -> first.isDone() || activeRecordings() > 0);
      second = Http.get(server.adminPort(), "/debug/jfr?seconds=1").statusCode();
      r = first.get();
    }
    assertThat(second).as("a second recording while one runs").isEqualTo(409);
    assertThat(r.statusCode()).as("the first recording").isEqualTo(200);
    Path jfr = Files.write(dir.resolve("keel.jfr"), r.body());
    int events = 0;
    boolean sawOldObjectSettings = false;
    try (RecordingFile f = new RecordingFile(jfr)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        events++;
        sawOldObjectSettings |= e.getEventType().getName().equals("jdk.ActiveSetting")
            && e.getString("name").equals("cutoff") && e.getString("value").equals("infinity");
      }
    }
    assertThat(events).as("events in the recording").isPositive();
    assertThat(sawOldObjectSettings).as("old-object sampler with paths to GC roots (cutoff infinity)").isTrue();
    assertThat(Http.get(server.adminPort(), "/debug/jfr?seconds=301").statusCode()).as("over 300 s").isEqualTo(400);
  }

  /** Recordings running in this JVM (the server under test runs in it). */
  private static long activeRecordings() {
    return jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().stream()
        .filter(rec -> rec.getState() == jdk.jfr.RecordingState.RUNNING).count();
  }

  @Test
  void tokenIsRequiredWhenSetAndGcOnlyWhenAllowed() {
    String token = "test-token-0123456789";
    server = Servers.start(b -> b.set(AdminOptions.ADMIN_TOKEN, token).set(AdminOptions.ADMIN_ALLOW_GC, true));
    int admin = server.adminPort();
    assertThat(Http.get(admin, "/metrics").statusCode()).as("no token").isEqualTo(401);
    assertThat(Http.get(admin, "/debug/memory", "Authorization", "Bearer wrong-token-000000000").statusCode())
        .as("wrong token").isEqualTo(401);
    assertThat(Http.get(admin, "/debug/memory", "Authorization", "Bearer " + token).statusCode())
        .as("right token").isEqualTo(200);
    HttpResponse<String> gc = Http.post(admin, "/debug/gc", "", "Authorization", "Bearer " + token);
    assertThat(gc.statusCode()).as("GC allowed").isEqualTo(200);
    assertThat(WsClient.parse(gc.body()).get("heapAfterGcBytes").asLong()).isPositive();
    assertThat(Http.get(server.wsPort(), "/metrics").statusCode()).as("never on the public port").isEqualTo(404);
  }

  @Test
  void gcIsRefusedUnlessAllowed() {
    server = Servers.start();
    assertThat(Http.post(server.adminPort(), "/debug/gc", "").statusCode()).isEqualTo(403);
  }
}
