package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.Handler;
import dev.keel.spi.ConnectionInfo;
import dev.keel.testing.Embedded;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A handler that takes 100 ms per message and a client that writes as fast as it can: the server
 * holds at most {@code inbound-queue-messages} for the handler (plus what one socket read had
 * already decoded), stops reading, and the client's writes block in TCP instead.
 */
class InboundBackpressureIT {
  private static final int BOUND = 16;
  private static final int PAYLOAD = 1024;
  private static final int FRAMES = 20_000; // 20 MB: far more than any socket buffer on the way

  @Test
  void slowHandler_fastSender_serverHoldsAtMostTheBoundAndTheSendersWritesBlock() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    Handler slow = (c, m) -> {
      Thread.sleep(100); // the slow handler under test, not a synchronisation
      handled.incrementAndGet();
    };
    try (Embedded.Server keel = Embedded.start(slow, b -> b
            .set(CoreOptions.INBOUND_QUEUE_MESSAGES, BOUND)
            .set(CoreOptions.RATE_LIMIT, 1_000_000).set(CoreOptions.RATE_BURST, 1_000_000) // only the inbound queue pushes back here
            .set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(5)).set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMinutes(1)));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Socket socket = new Socket();
      socket.setSendBufferSize(8 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", keel.tcpPort()), 10_000);
      AtomicLong framesWritten = new AtomicLong();
      Future<?> writer = pool.submit(() -> {
        OutputStream out = socket.getOutputStream();
        byte[] frame = ByteBuffer.allocate(4 + PAYLOAD).putInt(PAYLOAD).put(new byte[PAYLOAD]).array();
        for (int i = 0; i < FRAMES; i++) {
          out.write(frame); // blocks when the server stops reading and the buffers on the way fill
          framesWritten.incrementAndGet();
        }
        return null;
      });

      int[] maxHeld = new int[1];
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
        maxHeld[0] = Math.max(maxHeld[0], heldByServer(keel));
        return handled.get() >= 30; // three seconds of handling
      });

      assertThat(keel.inboundQueueHighWater()).as("messages queued for the handler, at most").isLessThanOrEqualTo(BOUND);
      // Beyond the queue, only what the last socket read had already decoded waits (Netty reads at
      // most 64 KiB at a time: 63 frames of this size).
      assertThat(maxHeld[0]).as("messages the server held for the connection (queue + one read)")
          .isLessThanOrEqualTo(BOUND + 64 * 1024 / (PAYLOAD + 4));
      assertThat(writer.isDone()).as("the sender is still blocked writing").isFalse();
      long written = framesWritten.get();
      assertThat(written).as("frames the sender got out: what was handled, queued, and the kernel buffers hold")
          .isLessThan(handled.get() + BOUND + 1_000L) // ~1 MB of socket buffers, generously
          .isLessThan(FRAMES / 4);
      socket.setSoLinger(true, 0);
      socket.close();
      writer.cancel(true);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(keel.liveConnections()).as("live connections").isZero();
        assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads").isZero();
      });
    }
  }

  /** Messages read from the socket and not yet handled: the handler's queue plus the session's wait list. */
  private static int heldByServer(Embedded.Server keel) throws Exception {
    int held = 0;
    for (ConnectionInfo c : keel.probe().host().connections().get(10, TimeUnit.SECONDS)) {
      held += c.pendingInbound();
    }
    return held + keel.inboundQueueHighWater();
  }
}
