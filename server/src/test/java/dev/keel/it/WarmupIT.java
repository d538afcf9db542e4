package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.config.ProxyProtocol;
import dev.keel.serve.ServeOptions;
import dev.keel.testing.HostProbe;
import dev.keel.testing.Http;
import dev.keel.testing.LeakReportExtension;
import dev.keel.testing.Ports;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The start-up warm-up on the real server: it runs the broadcast path on a private loopback listener
 * before the public ones open (whatever their host, TLS or PROXY header), then leaves nothing behind.
 */
@ExtendWith(LeakReportExtension.class)
class WarmupIT {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-warmup";

  @Test
  void warmup_deliversOverTheRealPath_thenClosesEveryConnectionCleanly() throws Exception {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(500))
        // default per-address limits: the warm-up must not use 127.0.0.1's connect budget
        .set(CoreOptions.MAX_CONNECTIONS_PER_IP, 1_000).set(CoreOptions.CONNECT_RATE_PER_IP, 20)
        .set(CoreOptions.CONNECT_BURST_PER_IP, 50))) {
      assertThat(server.delivered()).as("the warm-up's messages reached its subscribers").isGreaterThan(1_000);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 0);
      // 256 subscribers, the one that never reads and 8 publishers; then joiners, at least the first
      assertThat(server.opened()).as("the warm-up's connections, joiners among them").isGreaterThan(265);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.closed(CloseReason.CLIENT) == server.opened());
      for (int i = 0; i < 50; i++) {
        try (WsClient c = WsClient.connect(server.wsPort())) {
          c.send("{\"op\":\"ping\",\"id\":\"p\"}");
          assertThat(c.next(Duration.ofSeconds(5))).as("client %d from 127.0.0.1 right after the warm-up: its connect burst is untouched", i)
              .contains("pong");
        }
      }
    }
  }

  @Test
  void warmup_withAnHmacSecret_signsItsOwnToken() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.AUTH_HMAC_SECRET, SECRET))) {
      assertThat(server.delivered()).as("authenticated and delivered").isGreaterThan(100);
    }
  }

  @Test
  void publicPorts_refuseConnections_untilTheWarmupHasRun_thenHealthzIsUp() throws Exception {
    int wsPort = Ports.free();
    int tcpPort = Ports.free();
    HostProbe probe = new HostProbe();
    CompletableFuture<Running> started = CompletableFuture.supplyAsync(() -> Servers.start(
        b -> b.set(ServeOptions.WARMUP, Duration.ofSeconds(2)).set(CoreOptions.WS_PORT, wsPort)
            .set(CoreOptions.TCP_PORT, tcpPort), probe));
    try {
      // Its subscribers and publishers are connected: it publishes for 2 s from now, then settles.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> probe.readings().opened("ws") >= SUBSCRIBERS_AND_PUBLISHERS || started.isDone());
      assertThat(started).as("the server is not started before its warm-up has run").isNotDone();
      assertThat(Ports.refuses(wsPort)).as("the public WebSocket/HTTP port while the warm-up runs").isTrue();
      assertThat(Ports.refuses(tcpPort)).as("the public framed-TCP port while the warm-up runs").isTrue();
      assertThat(started).as("still warming up after those connects (else they prove nothing)").isNotDone();

      Running server = started.get(30, TimeUnit.SECONDS);
      assertThat(server.delivered()).as("the warm-up ran").isPositive();
      assertThat(server.wsPort()).isEqualTo(wsPort);
      var healthz = Http.get(wsPort, "/healthz");
      assertThat(healthz.statusCode()).as("/healthz as soon as start returns").isEqualTo(200);
      assertThat(healthz.body()).as("warm: up").isEqualTo("{\"status\":\"up\"}");
      try (TcpClient tcp = TcpClient.connect(tcpPort)) {
        tcp.send("{\"op\":\"ping\",\"id\":\"p\"}");
        assertThat(tcp.read()).as("the framed-TCP port once started").contains("pong");
      }
    } finally {
      started.thenAccept(Running::close);
    }
  }

  @Test
  void warmup_runs_whenTheListenersAreOnANonLoopbackAddress() throws Exception {
    InetAddress external = nonLoopbackAddress();
    Assumptions.assumeTrue(external != null, "this machine has no non-loopback IPv4 address up");
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.HOST, external.getHostAddress()).set(CoreOptions.AUTH_HMAC_SECRET, SECRET))) {
      assertThat(server.delivered()).as("the warm-up ran on its loopback listener, the server on %s", external)
          .isGreaterThan(100);
      assertThat(Ports.refuses(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.wsPort())))
          .as("the public port is on %s only", external).isTrue();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(external, server.wsPort()), 5_000);
        assertThat(s.isConnected()).as("the public port on %s", external).isTrue();
      }
    }
  }

  @Test
  void warmup_runs_withTlsOnThePublicListeners() throws Exception {
    X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost").ecp256()
        .setIsCertificateAuthority(true).buildSelfSigned();
    File certPem = cert.toTempCertChainPem();
    File keyPem = cert.toTempPrivateKeyPem();
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.TLS_CERT, certPem.getPath()).set(CoreOptions.TLS_KEY, keyPem.getPath()))) {
      assertThat(server.delivered()).as("the warm-up ran on its plaintext private listener").isGreaterThan(100);
      assertThat(plaintextUpgrade(server.wsPort())).as("the public port still speaks TLS only").doesNotStartWith("HTTP/1.1 101");
    } finally {
      certPem.delete();
      keyPem.delete();
    }
  }

  @Test
  void warmup_runs_whenThePublicListenersExpectAProxyHeaderFromLoopback() {
    // The worst case for it: its 127.0.x.y peers are trusted proxies, whose connections to a public
    // listener wait for a PROXY header. On the private listener every peer is its own client.
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.TRUSTED_PROXIES, List.of("127.0.0.0/8")).set(CoreOptions.PROXY_PROTOCOL, ProxyProtocol.BOTH))) {
      assertThat(server.delivered()).as("the warm-up ran without a PROXY header").isGreaterThan(100);
      assertThat(server.closed(CloseReason.PROXY_PROTOCOL)).as("none of its connections refused").isZero();
    }
  }

  @Test
  void warmup_isSkipped_whereMaxConnectionsLeavesItNoRoom() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.MAX_CONNECTIONS, 1_000))) {
      assertThat(server.opened()).as("no warm-up connection under a limit of 1,000 (it would take 329)").isZero();
      assertThat(server.delivered()).isZero();
    }
  }

  @Test
  void warmup_off_deliversNothing() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ZERO))) {
      assertThat(server.delivered()).as("nothing ran").isZero();
    }
  }

  /** What 256 subscribers, the one that never reads and 8 publishers add up to (the publishing has begun). */
  private static final int SUBSCRIBERS_AND_PUBLISHERS = 265;

  /** The first line a plaintext upgrade request gets from {@code port} ("" when the server just closes). */
  private static String plaintextUpgrade(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] head = new byte[12];
      int n = s.getInputStream().readNBytes(head, 0, head.length);
      return new String(head, 0, n, StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketException reset) {
      return ""; // TLS refuses plaintext by closing
    }
  }

  /** An IPv4 address of this machine's that is up and not loopback, or null. */
  private static InetAddress nonLoopbackAddress() throws SocketException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a;
        }
      }
    }
    return null;
  }
}
