package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.SendFailedException;
import dev.keel.config.SlowConsumerPolicy;
import dev.keel.api.CloseReason;
import dev.keel.api.SendResult;
import dev.keel.testing.Embedded;
import dev.keel.testing.TcpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Connection.send} to a peer that has stopped reading returns at once with what the
 * slow-consumer policy did; {@code sendAndAwait} fails at its deadline.
 */
class ConnectionSendIT {
  private static final String KIB = "k".repeat(1024);

  private Embedded.Server keel;
  private final CompletableFuture<Connection> opened = new CompletableFuture<>();
  private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();

  @AfterEach
  void stop() {
    if (keel != null) {
      keel.close();
    }
  }

  private void start(SlowConsumerPolicy policy) {
    Handler h = new Handler() {
      @Override
      public void onOpen(Connection c) {
        opened.complete(c);
      }

      @Override
      public void onMessage(Connection c, Message m) {}

      @Override
      public void onClose(Connection c, CloseReason reason) {
        closed.complete(reason);
      }
    };
    keel = Embedded.start(h, b -> b
        .set(CoreOptions.SLOW_CONSUMER_POLICY, policy)
        .set(CoreOptions.MAX_MESSAGE_SIZE, 4096)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 * 1024)
        .set(CoreOptions.WRITE_BUFFER_HIGH_WATER, 4096)
        .set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024)
        .set(CoreOptions.WRITE_TIMEOUT, Duration.ofMinutes(1))); // only the queue bound acts in these tests
  }

  /** A peer with a 2 KiB receive buffer that never reads. */
  private TcpClient stalledPeer() {
    TcpClient c = TcpClient.connect(keel.tcpPort(), null, 2048);
    c.heartbeat(); // completes the framed-TCP handshake
    return c;
  }

  private Connection connection() {
    return opened.orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void send_stalledPeerUnderDropNewest_returnsDroppedAndTheConnectionStaysOpen() {
    start(SlowConsumerPolicy.DROP_NEWEST);
    TcpClient peer = stalledPeer();
    try {
      Connection c = connection();
      int queued = 0;
      SendResult r;
      while ((r = c.send(KIB)) == SendResult.QUEUED && queued < 100_000) {
        queued++;
      }
      assertThat(queued).as("messages queued before the queue filled").isPositive();
      assertThat(r).as("send once the queue is full").isEqualTo(SendResult.DROPPED);
      assertThat(c.send(KIB)).as("the next send").isEqualTo(SendResult.DROPPED);
      assertThat(c.isOpen()).as("connection still open under drop-newest").isTrue();
      assertThat(closed).as("onClose not called").isNotDone();
    } finally {
      peer.close();
    }
  }

  @Test
  void send_stalledPeerUnderDisconnect_returnsClosedAndTheConnectionIsClosedAsSlowConsumer() {
    start(SlowConsumerPolicy.DISCONNECT);
    TcpClient peer = stalledPeer();
    try {
      Connection c = connection();
      int queued = 0;
      SendResult r;
      while ((r = c.send(KIB)) == SendResult.QUEUED && queued < 100_000) {
        queued++;
      }
      assertThat(queued).as("messages queued before the queue filled").isPositive();
      assertThat(r).as("the send that overflowed the queue").isEqualTo(SendResult.CLOSED);
      assertThat(closed.orTimeout(10, TimeUnit.SECONDS).join()).as("onClose reason").isEqualTo(CloseReason.SLOW_CONSUMER);
      assertThat(c.send(KIB)).as("a send after the close").isEqualTo(SendResult.CLOSED);
      assertThat(c.isOpen()).as("isOpen after the close").isFalse();
    } finally {
      peer.close();
    }
  }

  @Test
  void sendAndAwait_stalledPeer_failsAtItsDeadline() throws Exception {
    start(SlowConsumerPolicy.DROP_NEWEST);
    TcpClient peer = stalledPeer();
    try {
      Connection c = connection();
      Duration deadline = Duration.ofMillis(300);
      // The kernel's buffers take the first messages; once they are full nothing more is written.
      TimeoutException timedOut = null;
      long elapsedNanos = 0;
      for (int i = 0; i < 10_000 && timedOut == null; i++) {
        long start = System.nanoTime();
        try {
          c.sendAndAwait(KIB, deadline);
        } catch (TimeoutException e) {
          elapsedNanos = System.nanoTime() - start;
          timedOut = e;
        }
      }
      assertThat(timedOut).as("a sendAndAwait to the stalled peer timed out").isNotNull();
      assertThat(Duration.ofNanos(elapsedNanos)).as("time until it failed").isGreaterThanOrEqualTo(deadline);
      assertThat(c.isOpen()).as("the connection itself stays open").isTrue();
    } finally {
      peer.close();
    }
  }

  @Test
  void sendAndAwait_readingPeer_returnsOnceWrittenAndFailsClosedAfterTheClose() throws Exception {
    start(SlowConsumerPolicy.DISCONNECT);
    TcpClient peer = TcpClient.connect(keel.tcpPort());
    peer.heartbeat();
    Connection c = connection();
    c.sendAndAwait("{\"n\":1}", Duration.ofSeconds(10));
    assertThat(peer.read()).as("what the peer reads").isEqualTo("{\"n\":1}");
    peer.close();
    closed.orTimeout(10, TimeUnit.SECONDS).join();
    assertThatThrownBy(() -> c.sendAndAwait("{\"n\":2}", Duration.ofSeconds(10)))
        .as("sendAndAwait after the close")
        .isInstanceOf(SendFailedException.class)
        .satisfies(e -> assertThat(((SendFailedException) e).result()).isEqualTo(SendResult.CLOSED));
    await().atMost(Duration.ofSeconds(10)).until(() -> keel.liveVirtualThreads() == 0);
  }
}
