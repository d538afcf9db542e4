package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.api.Handler;
import dev.keel.api.Keel;
import dev.keel.config.CoreOptions;
import dev.keel.testing.HostProbe;
import dev.keel.testing.Http;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code Keel.Builder.warmup}: the warm-up speaks to a private loopback listener with the public
 * pipeline while the public ports are still closed; that listener is gone once start returns, or once
 * the server is closed in the middle of it, or the warm-up fails.
 */
class EmbedWarmupIT {
  private static final Handler ECHO = (c, m) -> c.send("echo " + m.text());

  @Test
  void warmup_reachesTheHandlerOnAPrivateListener_whileThePublicPortsRefuse() throws Exception {
    int wsPort = freePort();
    int tcpPort = freePort();
    AtomicReference<InetSocketAddress> seen = new AtomicReference<>();
    AtomicReference<String> reply = new AtomicReference<>();
    AtomicReference<Boolean> publicRefused = new AtomicReference<>();
    Keel keel = builder(wsPort, tcpPort).warmup(address -> {
      seen.set(address);
      publicRefused.set(refused(wsPort) && refused(tcpPort));
      try (WsClient c = WsClient.connect(address.getPort())) {
        c.send("warm");
        reply.set(c.next(Duration.ofSeconds(10)));
      }
    }).build().start();
    try {
      assertThat(seen.get().getAddress().getHostAddress()).as("the private listener's host").isEqualTo("127.0.0.1");
      assertThat(seen.get().getPort()).as("a port of its own").isNotIn(wsPort, tcpPort).isPositive();
      assertThat(reply.get()).as("the handler, through the WebSocket pipeline").isEqualTo("echo warm");
      assertThat(publicRefused.get()).as("the public ports during the warm-up").isTrue();
      assertThat(refused(seen.get().getPort())).as("the private listener once start has returned").isTrue();
      assertThat(keel.wsPort()).isEqualTo(wsPort);
      assertThat(Http.get(wsPort, "/healthz").statusCode()).as("the public port once started").isEqualTo(200);
      try (TcpClient c = TcpClient.connect(tcpPort)) {
        c.send("tcp");
        assertThat(c.read()).isEqualTo("echo tcp");
      }
    } finally {
      keel.close();
    }
  }

  @Test
  void close_duringTheWarmup_stopsTheServer_andThePublicListenersNeverOpen() throws Exception {
    int wsPort = freePort();
    AtomicReference<InetSocketAddress> seen = new AtomicReference<>();
    CountDownLatch warming = new CountDownLatch(1);
    HostProbe probe = new HostProbe();
    Keel keel = builder(wsPort, freePort()).extension(probe).warmup(address -> {
      seen.set(address);
      try (WsClient c = WsClient.connect(address.getPort())) {
        warming.countDown();
        // Until the drain closes it: the server is going away under the warm-up.
        c.awaitClose(Duration.ofSeconds(30));
      }
    }).build();
    CompletableFuture<Keel> started = CompletableFuture.supplyAsync(() -> {
      try {
        return keel.start();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(warming.await(30, TimeUnit.SECONDS)).as("the warm-up is connected").isTrue();
    CompletableFuture.runAsync(keel::close).get(30, TimeUnit.SECONDS); // does not wait for the warm-up
    assertThatThrownBy(() -> started.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().hasMessageContaining("closed during the warm-up");
    assertThat(refused(seen.get().getPort())).as("the private listener after the close").isTrue();
    assertThat(refused(wsPort)).as("the public port never opened").isTrue();
    assertThat(probe.connections()).as("connections left").isZero();
  }

  @Test
  void warmupThatThrows_failsTheStart_andLeavesNothingListening() throws Exception {
    int wsPort = freePort();
    AtomicReference<InetSocketAddress> seen = new AtomicReference<>();
    Keel keel = builder(wsPort, freePort()).warmup(address -> {
      seen.set(address);
      throw new IllegalStateException("broken warm-up");
    }).build();
    assertThatThrownBy(keel::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the warm-up failed: broken warm-up");
    assertThat(refused(seen.get().getPort())).as("the private listener after the failure").isTrue();
    assertThat(refused(wsPort)).as("the public port never opened").isTrue();
    keel.close(); // harmless after a failed start
  }

  private static Keel.Builder builder(int wsPort, int tcpPort) {
    return Keel.builder().wsPort(wsPort).tcpPort(tcpPort).handler(ECHO)
        .set(CoreOptions.SHUTDOWN_GRACE, Duration.ofSeconds(5));
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  /** Whether nothing listens on 127.0.0.1:{@code port} (a refused connect; a timeout is neither). */
  private static boolean refused(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException e) {
      throw new AssertionError("127.0.0.1:" + port + " neither accepted nor refused", e);
    }
  }
}
