package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.CloseReason;
import dev.keel.testing.Embedded;
import dev.keel.testing.ServerProbes;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * 5,000 connections through a custom handler that holds everything a handler can hold (attributes,
 * a subscription, a forked task blocked forever, a timer, a publish), ended seven ways: afterwards
 * no connection, scope, virtual thread, subscription, queued byte, scheduled task or pooled buffer
 * is left.
 */
class EmbedLeakIT {
  private static final int CONNECTIONS = 5000;
  private static final int WAVE = 500;
  private static final int WAYS = 7;

  /** Holds on to everything it can, and ends the connection when asked to. */
  static final class GreedyHandler implements Handler {
    final AtomicReference<Embedded.Server> keel = new AtomicReference<>();
    final Map<CloseReason, LongAdder> closes = new ConcurrentHashMap<>();
    final LongAdder opens = new LongAdder();

    @Override
    public void onOpen(Connection c) {
      opens.increment();
      c.attributes().put("scratch", new byte[256]);
      c.scope().schedule(Duration.ofHours(1), () -> c.send("much later"));
      c.scope().fork(() -> {
        new CountDownLatch(1).await(); // until the connection ends
        return null;
      });
      keel.get().topics().subscribe(c, "room." + c.id() % 50);
    }

    @Override
    public void onMessage(Connection c, Message m) {
      switch (m.text()) {
        case "bye" -> c.close();
        case "boom" -> throw new IllegalStateException("handler failure (expected by the test)");
        default -> {
          keel.get().topics().publish("room." + c.id() % 50, "\"" + c.id() + "\"");
          c.send("echo:" + m.text());
        }
      }
    }

    @Override
    public void onClose(Connection c, CloseReason reason) {
      closes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    long closed(CloseReason r) {
      LongAdder n = closes.get(r);
      return n == null ? 0 : n.sum();
    }
  }

  @Test
  void fiveThousandConnectionsThroughACustomHandler_leaveNoConnectionScopeThreadOrBuffer() throws Exception {
    GreedyHandler handler = new GreedyHandler();
    try (Embedded.Server keel = Embedded.start(handler, b -> b
            .set(CoreOptions.IDLE_TIMEOUT, Duration.ofSeconds(2))
            .set(CoreOptions.HANDLER_TIMEOUT, Duration.ofSeconds(30)) // every call arms a timer that must be cancelled
            .set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(500))
            .set(CoreOptions.MAX_MESSAGE_SIZE, 4096)
            .set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      handler.keel.set(keel);
      long baselineBuffers = ServerProbes.activeAllocations(keel.probe().allocator(), keel.probe().eventLoops());

      for (int start = 0; start < CONNECTIONS; start += WAVE) {
        List<Future<?>> wave = new ArrayList<>();
        for (int i = start; i < start + WAVE; i++) {
          int n = i;
          wave.add(pool.submit(() -> {
            endOneWay(keel, n);
            return null;
          }));
        }
        for (Future<?> f : wave) {
          f.get(60, TimeUnit.SECONDS);
        }
      }

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(keel.liveConnections()).as("connections whose onClose has not run").isZero();
        assertThat(keel.liveScopes()).as("scopes not cancelled").isZero();
        assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads (counter)").isZero();
        assertThat(keel.probe().connections()).as("live sessions").isZero();
        assertThat(keel.probe().readings().reservedSlots()).as("reserved connection slots").isZero();
        assertThat(keel.probe().readings().subscriptions()).as("subscriptions").isZero();
        assertThat(keel.probe().readings().topics()).as("topic entries").isZero();
        assertThat(keel.probe().readings().queuedBytes()).as("queued outbound bytes").isZero();
        assertThat(ServerProbes.scheduledTasks(keel.probe().eventLoops())).as("scheduled tasks on the event loops").isZero();
        assertThat(ServerProbes.activeAllocations(keel.probe().allocator(), keel.probe().eventLoops()))
            .as("live pooled buffers").isEqualTo(baselineBuffers);
      });
      assertThat(Embedded.keelVirtualThreadsInDump()).as("Keel's virtual threads (thread dump)").isZero();
      assertThat(handler.opens.sum()).as("connections that reached onOpen").isEqualTo(CONNECTIONS);
      assertThat(handler.closes.values().stream().mapToLong(LongAdder::sum).sum())
          .as("onClose calls: exactly one per connection").isEqualTo(CONNECTIONS);
      for (CloseReason r : List.of(CloseReason.CLIENT, CloseReason.IDLE_TIMEOUT, CloseReason.ERROR)) {
        assertThat(handler.closed(r)).as("connections closed for " + r).isGreaterThanOrEqualTo(CONNECTIONS / WAYS);
      }
    }
  }

  private static void endOneWay(Embedded.Server keel, int n) throws Exception {
    InetAddress source = InetAddress.getByName("127.0.0." + (10 + n % 200));
    switch (n % WAYS) {
      case 0 -> { // WebSocket, normal close handshake
        WsClient ws = WsClient.connect(keel.wsPort());
        ws.send("hi");
        ws.next();
        ws.close();
        ws.awaitClose(Duration.ofSeconds(30));
      }
      case 1 -> { // WebSocket, dropped without a close frame
        WsClient ws = WsClient.connect(keel.wsPort());
        ws.send("hi");
        ws.next();
        ws.abort();
      }
      case 2 -> { // TCP, normal close
        try (TcpClient c = TcpClient.connect(keel.tcpPort(), source, 0)) {
          c.send("hi");
          readEcho(c);
        }
      }
      case 3 -> { // TCP, reset
        TcpClient c = TcpClient.connect(keel.tcpPort(), source, 0);
        c.send("hi");
        readEcho(c);
        c.reset();
      }
      case 4 -> { // TCP, goes silent until the idle timeout
        try (TcpClient c = TcpClient.connect(keel.tcpPort(), source, 0)) {
          c.send("hi");
          readEcho(c);
          assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("idle peer closed").isTrue();
        }
      }
      case 5 -> { // the handler closes the connection
        try (TcpClient c = TcpClient.connect(keel.tcpPort(), source, 0)) {
          c.send("bye");
          assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("closed by the handler").isTrue();
        }
      }
      default -> { // the handler throws
        try (TcpClient c = TcpClient.connect(keel.tcpPort(), source, 0)) {
          c.send("boom");
          assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("closed after a handler failure").isTrue();
        }
      }
    }
  }

  /** Skips room messages published by others until this connection's echo arrives. */
  private static void readEcho(TcpClient c) {
    String m;
    do {
      m = c.read();
    } while (!m.startsWith("echo:"));
  }
}
