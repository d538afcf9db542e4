package dev.keel.it;

import dev.keel.config.Ports;
import dev.keel.config.CoreOptions;
import dev.keel.admin.AdminOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.testing.Running;
import dev.keel.api.CloseReason;
import dev.keel.testing.ServerProbes;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Opens and ends 5,000 connections in every way a connection can end, then proves that the server
 * holds nothing for them: no connection, subscription, topic, queued byte, live pooled buffer or
 * scheduled task is left behind.
 */
class LeakIT {
  private static final int CONNECTIONS = 5000;
  private static final int WAVE = 500;
  private static final int WAYS = 10;

  @Test
  void fiveThousandConnectionsEndedEveryWayLeaveNothingBehind() throws Exception {
    try (Running server = Servers.start(b -> b
            // No admin listener: its event-loop lag probe is a (server-wide) scheduled task on every
            // loop, and this test counts the tasks left behind by connections.
            .set(AdminOptions.ADMIN_PORT, Ports.OFF)
            .set(CoreOptions.IDLE_TIMEOUT, Duration.ofSeconds(1))
            .set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(300))
            .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofMillis(500))
            .set(CoreOptions.WRITE_TIMEOUT, Duration.ofMillis(800))
            .set(CoreOptions.MAX_MESSAGE_SIZE, 4096)
            .set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024)
            .set(CoreOptions.RATE_LIMIT, 20)
            .set(CoreOptions.RATE_BURST, 10));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      long baselineBuffers = ServerProbes.activeAllocations(server.allocator(), server.eventLoops());

      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicInteger publisherPort = new AtomicInteger();
      Future<?> firehose = pool.submit(() -> {
        try (TcpClient pub = TcpClient.connect(server.tcpPort())) {
          publisherPort.set(pub.socket().getLocalPort());
          String data = "\"" + "f".repeat(1000) + "\"";
          while (publishing.get()) {
            pub.send("{\"op\":\"pub\",\"topic\":\"firehose\",\"data\":" + data + "}"); // paced by the rate limit
          }
        }
        return null;
      });

      try {
        for (int start = 0; start < CONNECTIONS; start += WAVE) {
          List<Future<?>> wave = new ArrayList<>();
          for (int i = start; i < start + WAVE; i++) {
            int n = i;
            wave.add(pool.submit(() -> {
              endOneWay(server, n);
              return null;
            }));
          }
          awaitWave(wave, start);
        }
      } catch (Throwable failure) {
        // The firehose (blocked writing to a throttled server) and any stuck way would keep the
        // pool's close, and so the test, waiting for minutes and hide the failure: interrupt them,
        // which closes their sockets.
        publishing.set(false);
        pool.shutdownNow();
        throw failure;
      }
      publishing.set(false);
      try {
        firehose.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException stuck) {
        // Seen once in CI: the publisher's last send did not return. Say what the server holds for it
        // (why it does not read it) before the pool is interrupted, or the failure explains nothing.
        String diagnosis = diagnosis(server, publisherPort.get());
        pool.shutdownNow();
        throw new AssertionError("the firehose's last send has not returned 30 s after it stopped: " + diagnosis, stuck);
      }

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(server.connections()).as("live connections").isZero();
        assertThat(server.reserved()).as("reserved connection slots").isZero();
        assertThat(server.subscriptionCount()).as("subscriptions").isZero();
        assertThat(server.topicCount()).as("topic entries").isZero();
        assertThat(server.queuedBytes()).as("queued outbound bytes").isZero();
        assertThat(ServerProbes.scheduledTasks(server.eventLoops())).as("scheduled tasks on the event loops").isZero();
        assertThat(ServerProbes.activeAllocations(server.allocator(), server.eventLoops()))
            .as("live pooled buffers").isEqualTo(baselineBuffers);
      });
      // Every way was really taken, not just attempted. Nearly every connection of a way ends for
      // its reason; on a loaded 2-core machine a client thread can stall past the 1 s idle timeout
      // before its oversized frame, so a few of a way may end for another reason (seen: 499 of 500).
      assertThat(server.opened()).as("sessions opened").isGreaterThanOrEqualTo(CONNECTIONS * 9L / 10);
      for (CloseReason r : List.of(CloseReason.CLIENT, CloseReason.IDLE_TIMEOUT, CloseReason.HANDSHAKE_TIMEOUT,
          CloseReason.TOO_LARGE)) {
        assertThat(server.closed(r)).as("connections closed for " + r)
            .isGreaterThanOrEqualTo(CONNECTIONS / WAYS * 9 / 10);
      }
      assertThat(server.closed(CloseReason.WRITE_TIMEOUT) + server.closed(CloseReason.SLOW_CONSUMER))
          .as("stalled subscribers cut off").isGreaterThanOrEqualTo(CONNECTIONS / WAYS / 2);
      assertThat(server.rateLimited()).as("flooders throttled").isPositive();
    }
  }

  /**
   * The server's side of a stuck publisher: its ledger row (readHeld says why its socket is not read),
   * how many connections are left and how many are not read, the event loops' scheduled tasks, and a
   * thread dump (where the publisher's thread waits).
   */
  private static String diagnosis(Running server, int publisherPort) {
    StringBuilder b = new StringBuilder();
    try {
      List<dev.keel.spi.ConnectionInfo> rows = server.connectionList();
      b.append(rows.size()).append(" connections left, ")
          .append(rows.stream().filter(r -> r.readHeld() != null).count()).append(" of them not read; the publisher's row: ")
          .append(rows.stream().filter(r -> r.remote().endsWith(":" + publisherPort)).findFirst()
              .map(String::valueOf).orElse("none (it is closed)"));
    } catch (Exception e) {
      b.append("the ledger did not answer: ").append(e);
    }
    try {
      b.append("; scheduled tasks on the loops: ").append(ServerProbes.scheduledTasks(server.eventLoops()));
    } catch (Exception e) {
      b.append("; a loop did not answer: ").append(e);
    }
    b.append("; thread dump in ").append(dumpThreads());
    return b.toString();
  }

  /** Every thread, virtual ones included, as JSON under target/; returns the file's path. */
  private static java.nio.file.Path dumpThreads() {
    java.nio.file.Path dump = java.nio.file.Path.of("target", "LeakIT-threads-" + System.nanoTime() + ".json").toAbsolutePath();
    try {
      java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dump;
  }

  /**
   * Waits for one wave. A wave normally takes seconds and every step of every way has its own
   * timeout, so a wave still running after a minute means a way is stuck: name it, and dump every
   * thread (virtual ones included) so that the failure report shows where.
   */
  private static void awaitWave(List<Future<?>> wave, int start) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    for (Future<?> f : wave) {
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException stuck) {
        List<String> running = new ArrayList<>();
        for (int i = 0; i < wave.size(); i++) {
          if (!wave.get(i).isDone()) {
            running.add((start + i) + " (way " + ((start + i) % WAYS) + ")");
          }
        }
        throw new AssertionError("wave from " + start + " still running after 90 s: " + running
            + "; thread dump in " + dumpThreads(), stuck);
      }
    }
  }

  private static void endOneWay(Running server, int n) throws Exception {
    InetAddress source = InetAddress.getByName("127.0.0." + (10 + n % 200));
    String sub = "{\"op\":\"sub\",\"topic\":\"t." + n + "\"}";
    switch (n % WAYS) {
      case 0 -> { // WebSocket, normal close handshake
        WsClient ws = WsClient.connect(server.wsPort());
        ws.send(sub);
        ws.next();
        ws.close();
        ws.awaitClose(Duration.ofSeconds(30));
      }
      case 1 -> { // WebSocket, dropped without a close frame
        WsClient ws = WsClient.connect(server.wsPort());
        ws.send(sub);
        ws.next();
        ws.abort();
      }
      case 2 -> { // TCP, normal close
        try (TcpClient c = TcpClient.connect(server.tcpPort(), source, 0)) {
          c.send(sub);
          c.read();
        }
      }
      case 3 -> { // TCP, reset
        TcpClient c = TcpClient.connect(server.tcpPort(), source, 0);
        c.send(sub);
        c.read();
        c.reset();
      }
      case 4 -> { // TCP, goes silent until the idle timeout
        try (TcpClient c = TcpClient.connect(server.tcpPort(), source, 0)) {
          c.send(sub);
          c.read();
          assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("idle peer closed").isTrue();
        }
      }
      case 5 -> { // TCP, never sends a first frame
        try (TcpClient c = TcpClient.connect(server.tcpPort(), source, 0)) {
          assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("handshake timeout").isTrue();
        }
      }
      case 6 -> { // TCP, oversized frame
        try (TcpClient c = TcpClient.connect(server.tcpPort(), source, 0)) {
          c.send(sub);
          c.read();
          c.sendRaw(ByteBuffer.allocate(4).putInt(1 << 20).array());
          assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("too large").isTrue();
        }
      }
      case 7 -> { // TCP, floods past the rate limit, then resets while throttled
        TcpClient c = TcpClient.connect(server.tcpPort(), source, 0);
        c.send(sub);
        c.read();
        for (int i = 0; i < 50; i++) {
          c.send("{\"op\":\"echo\",\"data\":" + i + "}");
        }
        c.read();
        c.reset();
      }
      case 8 -> { // TCP, subscribes to the firehose and stops reading (but keeps sending heartbeats,
        // so only the write side can end it) until it is cut off as a slow consumer
        TcpClient c = TcpClient.connect(server.tcpPort(), source, 2048);
        c.send("{\"op\":\"sub\",\"topic\":\"firehose\"}");
        SocketAddress me = c.socket().getLocalSocketAddress();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
              try {
                c.heartbeat();
              } catch (UncheckedIOException closedByServer) {
                // the server cut it off: fine
              }
              return server.connectionList().stream().noneMatch(s -> String.valueOf(me).equals(s.remote()));
            });
        c.reset();
      }
      default -> { // HTTP connection that never sends its upgrade request
        try (Socket s = new Socket()) {
          s.bind(new java.net.InetSocketAddress(source, 0));
          s.connect(new java.net.InetSocketAddress("127.0.0.1", server.wsPort()), 10_000);
          s.setSoTimeout(30_000);
          assertThat(s.getInputStream().read()).as("silent HTTP connection closed").isEqualTo(-1);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
