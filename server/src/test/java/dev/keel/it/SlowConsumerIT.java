package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.config.SlowConsumerPolicy;
import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stalled subscriber (tiny receive buffer, never reads) shares a topic with fast ones: under each
 * policy it is cut off or loses messages, and the fast subscribers still get every message in order.
 */
class SlowConsumerIT {
  private static final int MESSAGES = 3000;
  private static final int FAST = 3;
  private static final String PAYLOAD = "\"" + "p".repeat(400) + "\"";

  private Running server;
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void stop() {
    readers.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  private void startServer(SlowConsumerPolicy policy, Duration writeTimeout) {
    server = Servers.start(b -> b
        .set(CoreOptions.MAX_MESSAGE_SIZE, 4096)
        // Room for a fast reader's scheduling hiccups (~150 ms at the publish rate), far less than
        // the 1.3 MB a stalled reader falls behind by.
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 256 * 1024)
        .set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 512)
        .set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 16 * 1024)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024) // else the kernel absorbs megabytes for the stalled peer
        .set(CoreOptions.SLOW_CONSUMER_POLICY, policy)
        .set(CoreOptions.WRITE_TIMEOUT, writeTimeout)
        // The publisher's rate limit paces it at a rate the fast readers keep up with; the stalled
        // one falls behind at any rate.
        .set(CoreOptions.RATE_LIMIT, 3000)
        .set(CoreOptions.RATE_BURST, 50));
  }

  /** Subscribes fast readers; each returns the seqs it saw until it has MESSAGES of them. */
  private List<Future<List<Long>>> fastSubscribers() {
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int i = 0; i < FAST; i++) {
      TcpClient c = TcpClient.connect(server.tcpPort());
      c.send("{\"op\":\"sub\",\"topic\":\"feed\"}");
      assertThat(c.readJson().get("op").asText()).isEqualTo("subscribed");
      results.add(readers.submit(() -> {
        try (c) {
          List<Long> seqs = new ArrayList<>(MESSAGES);
          while (seqs.size() < MESSAGES) {
            var m = c.readJson();
            assertThat(m.has("seq")).as("fast subscriber got a message, not %s", m).isTrue();
            seqs.add(m.get("seq").asLong());
          }
          return seqs;
        }
      }));
    }
    return results;
  }

  private TcpClient stalledSubscriber() {
    TcpClient stalled = TcpClient.connect(server.tcpPort(), null, 2048);
    stalled.send("{\"op\":\"sub\",\"topic\":\"feed\"}");
    assertThat(stalled.readJson().get("op").asText()).isEqualTo("subscribed");
    return stalled; // and now it stops reading
  }

  private void publishAll() {
    try (TcpClient pub = TcpClient.connect(server.tcpPort())) {
      for (int i = 1; i <= MESSAGES; i++) {
        pub.send("{\"op\":\"pub\",\"topic\":\"feed\",\"data\":" + PAYLOAD + "}");
      }
      pub.send("{\"op\":\"ping\"}");
      assertThat(pub.read()).as("publisher's requests all processed").isEqualTo("{\"op\":\"pong\"}");
    }
  }

  private static void assertEveryMessageInOrder(List<Future<List<Long>>> fast) throws Exception {
    for (Future<List<Long>> f : fast) {
      List<Long> seqs = f.get(60, TimeUnit.SECONDS);
      for (int i = 0; i < MESSAGES; i++) {
        assertThat(seqs.get(i)).as("fast subscriber's message %d", i).isEqualTo(i + 1L);
      }
    }
  }

  @Test
  void disconnectPolicyCutsTheStalledSubscriberAndFastOnesGetEverything() throws Exception {
    startServer(SlowConsumerPolicy.DISCONNECT, Duration.ofSeconds(30));
    List<Future<List<Long>>> fast = fastSubscribers();
    try (TcpClient stalled = stalledSubscriber()) {
      publishAll();
      assertEveryMessageInOrder(fast);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> server.closed(CloseReason.SLOW_CONSUMER) == 1);
      assertThat(stalled.awaitClosed(Duration.ofSeconds(10))).as("stalled socket was closed by the server").isTrue();
    }
  }

  @Test
  void writeTimeoutCutsAStalledSubscriberWhoseQueueNeverFills() throws Exception {
    startServer(SlowConsumerPolicy.DROP_NEWEST, Duration.ofMillis(500));
    try (TcpClient stalled = stalledSubscriber()) {
      publishAll();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> server.closed(CloseReason.WRITE_TIMEOUT) == 1);
      assertThat(stalled.awaitClosed(Duration.ofSeconds(10))).as("stalled socket was closed").isTrue();
    }
  }

  @Test
  void dropNewestKeepsTheOldestAndFastOnesGetEverything() throws Exception {
    startServer(SlowConsumerPolicy.DROP_NEWEST, Duration.ofSeconds(60));
    List<Future<List<Long>>> fast = fastSubscribers();
    try (TcpClient stalled = stalledSubscriber()) {
      publishAll();
      assertEveryMessageInOrder(fast);
      long dropped = server.dropped();
      assertThat(dropped).as("messages dropped for the stalled subscriber").isPositive();
      // Now it reads. It gets the oldest messages as one unbroken run from seq 1: at least what the
      // 256 KiB queue holds (~550 of these messages), far more than the socket buffers alone. Later
      // it may get a few newer ones too (a gap, then more): when the kernel takes a few more bytes,
      // the queue has room again and the next publish fits. Nothing dropped arrives, nothing repeats.
      List<Long> seqs = readUntilQueueEmpty(stalled);
      int run = 0;
      while (run < seqs.size() && seqs.get(run) == run + 1L) {
        run++;
      }
      assertThat(run).as("drop-newest keeps the oldest: unbroken run from seq 1").isGreaterThanOrEqualTo(400);
      assertThat(seqs).as("seq only grows").isSorted().doesNotHaveDuplicates();
      assertThat(seqs.size() + dropped).as("received + dropped = published").isEqualTo(MESSAGES);
    }
  }

  @Test
  void dropOldestKeepsTheNewestAndFastOnesGetEverything() throws Exception {
    startServer(SlowConsumerPolicy.DROP_OLDEST, Duration.ofSeconds(60));
    List<Future<List<Long>>> fast = fastSubscribers();
    try (TcpClient stalled = stalledSubscriber()) {
      publishAll();
      assertEveryMessageInOrder(fast);
      long dropped = server.dropped();
      assertThat(dropped).as("messages dropped for the stalled subscriber").isPositive();
      List<Long> seqs = readUntilQueueEmpty(stalled);
      assertThat(seqs).as("seq only grows").isSorted().doesNotHaveDuplicates();
      assertThat(seqs.get(seqs.size() - 1)).as("drop-oldest keeps the newest").isEqualTo((long) MESSAGES);
      assertThat(seqs.size() + dropped).as("received + dropped = published").isEqualTo(MESSAGES);
    }
  }

  /**
   * Reads the stalled subscriber's backlog until the server holds nothing more for it, then an echo
   * marks the end: what arrives before the echo is everything it was going to get.
   */
  private List<Long> readUntilQueueEmpty(TcpClient stalled) throws Exception {
    Future<List<Long>> reader = readers.submit(() -> {
      List<Long> seqs = new ArrayList<>();
      while (true) {
        var m = stalled.readJson();
        if (m.get("op").asText().equals("echo")) {
          return seqs;
        }
        seqs.add(m.get("seq").asLong());
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> server.queuedBytes() == 0);
    stalled.send("{\"op\":\"echo\",\"data\":\"end\"}");
    return reader.get(20, TimeUnit.SECONDS);
  }
}
