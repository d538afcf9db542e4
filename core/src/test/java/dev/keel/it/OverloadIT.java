package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.Topics;
import dev.keel.config.CoreOptions;
import dev.keel.config.SlowConsumerPolicy;
import dev.keel.spi.Readings;
import dev.keel.testing.Embedded;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory budget against a hostile load, on a real server over loopback. The per-connection
 * bounds of the load add up to more than ten times the budget: slow subscribers that make progress
 * (so no write timeout ever cuts them), stalled connections the application floods with private
 * sends, and connections that send most of a frame and stop. Accounted memory must stay under the
 * budget throughout; the largest holders go first; fast subscribers of the same topic get every
 * message in order; new connections are refused while it lasts and admitted after; and everything
 * returns to its baseline.
 */
class OverloadIT {
  private static final long BUDGET = 32L << 20;
  private static final int QUEUE_BYTES = 4 << 20;
  private static final int SLOW = 80;
  private static final int FLOODERS = 10;
  private static final int HALF_FRAMES = 50;
  private static final int FAST = 3;
  private static final int MESSAGES = 4000;
  private static final int FRAME = 60_000;
  private static final String PAYLOAD = "\"" + "x".repeat(2000) + "\"";

  private Embedded.Server keel;
  private final List<TcpClient> clients = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean stop = new AtomicBoolean();

  /** sub (answered subscribed), ping (pong), flood N S: N private sends of S bytes to the caller. */
  private static final class LoadHandler implements Handler {
    private final Topics topics;

    LoadHandler(Topics topics) {
      this.topics = topics;
    }

    @Override
    public void onMessage(Connection c, Message m) {
      JsonNode req = WsClient.parse(m.text());
      switch (req.path("op").asText()) {
        case "sub" -> {
          topics.subscribe(c, req.path("topic").asText());
          c.reply("{\"op\":\"subscribed\"}");
        }
        case "ping" -> c.reply("{\"op\":\"pong\"}");
        case "flood" -> {
          String body = "{\"op\":\"private\",\"pad\":\"" + "p".repeat(req.path("size").asInt()) + "\"}";
          for (int i = 0; i < req.path("n").asInt(); i++) {
            c.send(body);
          }
        }
        default -> c.reply("{\"op\":\"error\",\"code\":\"bad_request\"}");
      }
    }
  }

  @AfterEach
  void stop() {
    stop.set(true);
    synchronized (clients) {
      for (TcpClient c : clients) {
        closeQuietly(c);
      }
    }
    if (keel != null) {
      keel.close();
    }
  }

  private static void closeQuietly(TcpClient c) {
    try {
      c.close();
    } catch (UncheckedIOException ignored) {
      // already gone
    }
  }

  private Readings readings() {
    return keel.probe().readings();
  }

  private long accounted() {
    long total = 0;
    for (String kind : readings().memoryKinds()) {
      total += readings().memoryAccounted(kind);
    }
    return total;
  }

  private TcpClient connect(int receiveBuffer, int i) {
    TcpClient c;
    try {
      c = TcpClient.connect(keel.tcpPort(), InetAddress.getByName("127.0.0." + (2 + i % 200)), receiveBuffer);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    clients.add(c);
    return c;
  }

  private TcpClient subscriber(int receiveBuffer, int i) {
    TcpClient c = connect(receiveBuffer, i);
    c.send("{\"op\":\"sub\",\"topic\":\"t\"}");
    assertThat(c.readJson().path("op").asText()).as("answer to a subscribe").isEqualTo("subscribed");
    return c;
  }

  /** Reads frames until the stream ends or the test stops; notes an overloaded goodbye; paced if slow. */
  private static Thread reader(TcpClient c, long pauseNanos, List<Long> seqs, AtomicInteger shed, AtomicBoolean stop) {
    return Thread.startVirtualThread(() -> {
      c.setReadTimeout(Duration.ofSeconds(60));
      try {
        while (!stop.get()) {
          JsonNode f = c.readJson();
          if ("error".equals(f.path("op").asText())) {
            if ("overloaded".equals(f.path("code").asText())) {
              shed.incrementAndGet();
            }
            return;
          }
          if (seqs != null) {
            seqs.add(f.path("seq").asLong());
          }
          if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos); // a slow reader: it makes progress, slowly
          }
        }
      } catch (UncheckedIOException ended) {
        // closed
      }
    });
  }

  @Test
  void hostileLoad_staysUnderTheBudget_shedsTheLargest_andFastSubscribersGetEverything() throws Exception {
    keel = Embedded.start(LoadHandler::new, b -> b
        .set(CoreOptions.MEMORY_BUDGET, BUDGET)
        .set(CoreOptions.MEMORY_CHECK_INTERVAL, Duration.ofMillis(20))
        .set(CoreOptions.MEMORY_STAGE_DWELL, Duration.ofMillis(500))
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, QUEUE_BYTES)
        .set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 1 << 16)
        .set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.DROP_OLDEST)
        .set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 16 * 1024)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 16 * 1024)
        .set(CoreOptions.WRITE_TIMEOUT, Duration.ofMinutes(2))
        .set(CoreOptions.FRAME_TIMEOUT, Duration.ofMinutes(2))
        .set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(3))
        .set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMinutes(1)));
    long bounds = (long) (SLOW + FLOODERS) * QUEUE_BYTES + (long) HALF_FRAMES * 64 * 1024;
    assertThat(bounds).as("what the load's per-connection bounds add up to").isGreaterThanOrEqualTo(10 * BUDGET);
    long baseline = accounted();

    List<List<Long>> fastSeqs = new ArrayList<>();
    AtomicInteger fastShed = new AtomicInteger();
    for (int i = 0; i < FAST; i++) {
      List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
      fastSeqs.add(seqs);
      reader(subscriber(0, i), 0, seqs, fastShed, stop);
    }
    AtomicInteger slowShed = new AtomicInteger();
    for (int i = 0; i < SLOW; i++) {
      reader(subscriber(4096, 10 + i), TimeUnit.MILLISECONDS.toNanos(20), null, slowShed, stop);
    }
    String head = "{\"op\":\"ping\",\"pad\":\"";
    byte[] ping = (head + "q".repeat(FRAME - head.length() - 2) + "\"}").getBytes(StandardCharsets.US_ASCII);
    assertThat(ping.length).as("length of the half-framers' frame").isEqualTo(FRAME);
    List<TcpClient> halfFramers = new ArrayList<>();
    for (int i = 0; i < HALF_FRAMES; i++) {
      TcpClient c = connect(0, 100 + i);
      c.heartbeat(); // handshake done: from now on it only holds half a frame
      c.sendRaw(ByteBuffer.allocate(4 + FRAME / 2).putInt(FRAME).put(ping, 0, FRAME / 2).array());
      halfFramers.add(c);
    }
    List<TcpClient> flooders = new ArrayList<>();
    for (int i = 0; i < FLOODERS; i++) {
      TcpClient c = connect(2048, 160 + i);
      c.send("{\"op\":\"flood\",\"n\":1000,\"size\":4000}");
      flooders.add(c);
    }

    AtomicLong peak = new AtomicLong();
    AtomicInteger peakStage = new AtomicInteger();
    Thread sampler = Thread.startVirtualThread(() -> {
      while (!stop.get()) {
        peak.accumulateAndGet(accounted(), Math::max);
        peakStage.accumulateAndGet(readings().overloadStage(), Math::max);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    });

    // A steady publisher: 10 messages every 20 ms.
    boolean refusalSeen = false;
    for (int i = 0; i < MESSAGES; i += 10) {
      for (int j = 0; j < 10; j++) {
        keel.topics().publish("t", PAYLOAD);
      }
      if (!refusalSeen && readings().overloadStage() > 0) {
        refusalSeen = true;
        assertRefusedWhileOverloaded();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    assertThat(refusalSeen).as("the load took the server over its high mark").isTrue();

    for (List<Long> seqs : fastSeqs) {
      // Until the last message arrives (or the reader ends): what came before it is checked below.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(summary(seqs))
          .as("what a fast subscriber received (shed: %d)", fastShed.get()).endsWith("last " + MESSAGES));
    }
    stop.set(true);
    sampler.join(5_000);

    assertThat(peak.get()).as("peak accounted memory against a %d-byte budget", BUDGET).isLessThanOrEqualTo(BUDGET);
    assertThat(peakStage.get()).as("highest stage reached").isEqualTo(2);
    assertThat(readings().shed("closed")).as("connections shed").isPositive();
    assertThat(fastShed.get()).as("fast subscribers shed").isZero();
    assertThat(readings().connections("tcp")).as("open TCP connections after the load (fast, half-framers, some"
        + " slow readers and flooders)").isGreaterThanOrEqualTo(FAST + HALF_FRAMES);
    for (List<Long> seqs : fastSeqs) {
      assertThat(summary(seqs)).as("what a fast subscriber received (every message, in order)")
          .isEqualTo(MESSAGES + " messages, no gap, last " + MESSAGES);
    }
    // Who was shed: the slow readers saw their goodbye (flooders never read, so theirs may never
    // arrive); the half-framers and the fast subscribers, who hold the least, were never chosen.
    assertThat(slowShed.get()).as("slow readers that read an overloaded goodbye").isPositive();
    assertThat(readings().closed("tcp", "overloaded")).as("connections closed as overloaded")
        .isEqualTo(readings().shed("closed"));

    // The slow readers and the flooders leave. The half-framers hold the least (30 KB each against
    // megabytes): none was shed, and once memory is back each can finish its frame and is answered.
    synchronized (clients) {
      for (TcpClient c : clients) {
        if (!halfFramers.contains(c)) {
          closeQuietly(c);
        }
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> readings().overloadStage() == 0);
    List<String> answers = new ArrayList<>();
    for (TcpClient c : halfFramers) {
      c.sendRaw(java.util.Arrays.copyOfRange(ping, FRAME / 2, FRAME));
      JsonNode answer = c.readJson();
      answers.add(answer.path("op").asText() + " " + answer.path("code").asText());
    }
    assertThat(answers).as("answers to the half-framers once they finished their frame").containsOnly("pong ");

    // The rest leaves: accounting returns to its baseline, and a new connection is admitted.
    synchronized (clients) {
      for (TcpClient c : clients) {
        closeQuietly(c);
      }
      clients.clear();
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(accounted()).as("accounted memory after the load left").isEqualTo(baseline);
      assertThat(readings().queuedBytes()).as("queued bytes after the load left").isZero();
      assertThat(readings().overloadStage()).as("stage after the load left").isZero();
    });
    TcpClient late = connect(0, 250);
    late.send("{\"op\":\"ping\"}");
    assertThat(late.readJson().path("op").asText()).as("answer to a connection made after the load").isEqualTo("pong");
  }

  /** Count, first gap and last seq of what a subscriber received. */
  private static String summary(List<Long> seqs) {
    synchronized (seqs) {
      long expect = 1;
      String gap = "no gap";
      for (long s : seqs) {
        if (s != expect) {
          gap = "gap at " + expect + " (got " + s + ")";
          break;
        }
        expect++;
      }
      return seqs.size() + " messages, " + gap + ", last " + (seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1));
    }
  }

  /** Over the high mark: a TCP connection is closed at once, an upgrade answered 503. */
  private void assertRefusedWhileOverloaded() {
    long refusedBefore = readings().shed("refused");
    TcpClient refused = connect(0, 240);
    assertThat(refused.awaitClosed(Duration.ofSeconds(5))).as("a TCP connection made while overloaded is closed")
        .isTrue();
    String upgrade = rawUpgrade(keel.wsPort());
    assertThat(upgrade).as("answer to a WebSocket upgrade while overloaded").startsWith("HTTP/1.1 503")
        .contains("overloaded");
    assertThat(readings().shed("refused")).as("refusals counted").isGreaterThanOrEqualTo(refusedBefore + 2);
  }

  /** A WebSocket upgrade request over a plain socket (HttpClient refuses to send these headers). */
  private static String rawUpgrade(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
