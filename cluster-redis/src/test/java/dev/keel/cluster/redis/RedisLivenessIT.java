package dev.keel.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.config.KeelConfig;
import dev.keel.spi.LocalTopics;
import dev.keel.spi.Meters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The health check under a publish storm, against a real redis-server (docs/cluster.md, Redis going
 * silent). A test-side client pipelines PUBLISHes to one topic's channel far faster than the node
 * reads them, so the node's subscription connection falls behind and the PONG of its PING waits in
 * Redis's output buffer behind the backlog, longer than the ping interval (the link's own count of
 * such checks proves it each run). Judged by the PING alone, as before, the node dropped a connection
 * that was delivering all along (and lost the backlog); judged by what arrives ({@link Liveness}), it
 * keeps it. A Redis paused (SIGSTOP) in the middle of the same storm is still noticed once its data
 * stops.
 */
class RedisLivenessIT {
  private static final Duration PING = Duration.ofMillis(250);
  /**
   * Messages in the storm, about 28 MB on the wire. The node reads them over several seconds (about
   * 30,000 a second here, with paranoid leak detection); judged by the PING alone it gave up after
   * the first 9,000 or so.
   */
  private static final int STORM = 200_000;
  /** Padding in each message's data, so that the backlog is bytes as well as messages. */
  private static final String PAD = "x".repeat(100);
  private static final String TOPIC = "storm";
  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void publishStorm_pongQueuedBehindTheBacklogPastTheInterval_keepsTheConnectionAndEverySeq() throws Exception {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      allowABacklog(admin);
      Recorder topics = new Recorder();
      AtomicInteger attempts = new AtomicInteger();
      RedisRelay relay = RedisRelay.start(config(redis), topics, Meters.create(), attempts::set);
      try {
        await("the node subscribed").atMost(WAIT).until(() -> admin.numsub(channel()) == 1);
        long subscriber = subscriberId(admin);
        long start = System.nanoTime();
        try (Storm storm = Storm.start(redis.port(), 1, STORM)) {
          await("the node delivered the whole storm").atMost(WAIT).pollInterval(Duration.ofMillis(50))
              .until(() -> topics.last.get() >= STORM || attempts.get() > 1);
          storm.sent().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("RedisLivenessIT: %,d messages delivered in %d ms, %d health checks let a late PONG wait%n",
            topics.count.get(), took.toMillis(), relay.busyChecks());
        assertThat(attempts.get()).as("connect attempts: the first only, no reconnect during the storm").isEqualTo(1);
        assertThat(topics.gaps.get()).as("deliveries out of sequence (a gap: messages lost)").isZero();
        assertThat(topics.count.get()).as("every message delivered once").isEqualTo(STORM);
        assertThat(relay.available()).as("the link is up").isTrue();
        assertThat(subscriberId(admin)).as("the same subscription connection as before the storm").isEqualTo(subscriber);
        assertThat(relay.busyChecks())
            .as("health checks that found the PING unanswered while data arrived: the storm did delay the PONG"
                + " past the %s interval", PING)
            .isPositive();
      } finally {
        relay.close();
      }
      assertThat(relay.countedChannels()).as("no channel's read counter left after close").isZero();
    }
  }

  @Test
  void redisPausedMidStorm_isNoticedWithinTwoIntervalsOfItsLastData() throws Exception {
    try (RedisProcess redis = RedisProcess.start(); RedisProcess.Admin admin = redis.admin()) {
      allowABacklog(admin);
      Recorder topics = new Recorder();
      RedisRelay relay = RedisRelay.start(config(redis), topics, Meters.create(), attempt -> { });
      try {
        await("the node subscribed").atMost(WAIT).until(() -> admin.numsub(channel()) == 1);
        try (Storm storm = Storm.start(redis.port(), 1, STORM)) {
          assertThat(storm.sent()).as("the storm is under way").isNotDone();
          await("the PONG waits behind the storm").atMost(WAIT).pollInterval(Duration.ofMillis(10))
              .until(() -> relay.busyChecks() > 0);
          redis.pause();
          long paused = System.nanoTime();
          try {
            await("the node noticed the silence").atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> !relay.available());
            long noticed = System.nanoTime();
            Duration afterPause = Duration.ofNanos(noticed - paused);
            Duration afterLastData = Duration.ofNanos(noticed - topics.lastAt.get());
            System.out.printf("RedisLivenessIT: paused with %,d delivered; down %d ms after the pause, %d ms after"
                + " the last message%n", topics.count.get(), afterPause.toMillis(), afterLastData.toMillis());
            assertThat(topics.count.get()).as("paused mid-storm").isLessThan(STORM);
            // Two intervals from the last byte; the slack is for a loaded 2-core machine.
            assertThat(afterLastData).as("down within two %s intervals of the last data (and some slack)", PING)
                .isLessThan(PING.multipliedBy(2).plusMillis(750));
            assertThat(afterPause).as("down soon after the pause: what was in flight drains, then silence")
                .isLessThan(Duration.ofSeconds(5));
            assertThat(topics.gaps.get()).as("what did arrive arrived in order").isZero();
          } finally {
            redis.resume();
          }
        }
      } finally {
        relay.close();
      }
    }
  }

  private static KeelConfig config(RedisProcess redis) {
    return KeelConfig.builder().set(RedisOptions.CLUSTER_REDIS, redis.uri())
        .set(RedisOptions.CLUSTER_REDIS_PING_INTERVAL, PING).build();
  }

  private static String channel() {
    return RedisWire.CHANNEL_PREFIX + TOPIC;
  }

  /**
   * Redis's own limit on a subscriber's output buffer (32 MB, or 8 MB for a minute) would cut the node
   * before our check is tested: raised, as an operator expecting bursts would (docs/cluster.md).
   */
  private static void allowABacklog(RedisProcess.Admin admin) {
    admin.sync().configSet("client-output-buffer-limit", "pubsub 0 0 0");
  }

  /** The Redis client id of the one connection in subscribed mode (the node's). */
  private static long subscriberId(RedisProcess.Admin admin) {
    List<String> subs = admin.sync().clientList().lines().filter(l -> l.contains(" sub=1 ")).toList();
    assertThat(subs).as("one connection in subscribed mode").hasSize(1);
    String id = subs.get(0).split(" ")[0];
    return Long.parseLong(id.substring("id=".length()));
  }

  /**
   * The node's topics as the relay sees them: one live topic, each delivery checked against the last
   * (seq = last + 1); runs on Lettuce's I/O thread, as the registry's deliver does.
   */
  private static final class Recorder implements LocalTopics {
    final AtomicLong last = new AtomicLong();
    final AtomicLong count = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong lastAt = new AtomicLong(System.nanoTime());

    @Override
    public boolean hasTopic(String topic) {
      return TOPIC.equals(topic);
    }

    @Override
    public List<String> topicNames() {
      return List.of(TOPIC);
    }

    @Override
    public long lastSeq(String topic) {
      return last.get();
    }

    @Override
    public boolean deliver(String topic, String epoch, long seq, byte[] data) {
      lastAt.set(System.nanoTime());
      if (seq != last.get() + 1) {
        gaps.incrementAndGet();
      }
      last.set(seq);
      count.incrementAndGet();
      return true;
    }
  }

  /**
   * PUBLISHes {@code "SEQ EPOCH DATA"} (what the publish script sends) for seqs {@code from..to} on one
   * raw connection, pipelined in batches, while another thread drains the {@code :N} replies;
   * {@link #sent()} completes when every reply is in. Closing it closes the socket (a write blocked on
   * a paused Redis ends).
   */
  private static final class Storm implements AutoCloseable {
    private final Socket socket;
    private final CompletableFuture<Void> sent = new CompletableFuture<>();

    private Storm(Socket socket) {
      this.socket = socket;
    }

    static Storm start(int port, long from, long to) throws IOException {
      Storm s = new Storm(new Socket("127.0.0.1", port));
      long replies = to - from + 1;
      Thread.ofPlatform().name("storm-writer").daemon().start(() -> s.write(from, to));
      Thread.ofPlatform().name("storm-reader").daemon().start(() -> s.drain(replies));
      return s;
    }

    CompletableFuture<Void> sent() {
      return sent;
    }

    private void write(long from, long to) {
      byte[] ch = channel().getBytes(StandardCharsets.US_ASCII);
      try {
        OutputStream out = socket.getOutputStream();
        StringBuilder batch = new StringBuilder(1 << 20);
        for (long seq = from; seq <= to; seq++) {
          String msg = seq + " storm-epoch {\"n\":" + seq + ",\"pad\":\"" + PAD + "\"}";
          batch.append("*3\r\n$7\r\nPUBLISH\r\n$").append(ch.length).append("\r\n").append(channel())
              .append("\r\n$").append(msg.length()).append("\r\n").append(msg).append("\r\n");
          if (batch.length() > (1 << 19) || seq == to) {
            out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            batch.setLength(0);
          }
        }
        out.flush();
      } catch (IOException e) {
        sent.completeExceptionally(e); // closed under a paused Redis
      }
    }

    private void drain(long replies) {
      try {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[1 << 16];
        long lines = 0;
        while (lines < replies) {
          int n = in.read(buf);
          if (n < 0) {
            throw new IOException("redis closed the publisher's connection after " + lines + " replies");
          }
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              lines++;
            }
          }
        }
        sent.complete(null);
      } catch (IOException e) {
        sent.completeExceptionally(e);
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
