package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.api.CloseReason;
import dev.keel.config.ConfigFile;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.spi.ConnectionInfo;
import dev.keel.testing.DocBlocks;
import dev.keel.testing.ProxyProcess;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What {@link HaproxyIT} and {@link NginxIT} prove the same way for either proxy: Keel behind it with
 * the configuration of docs/deployment.md and small per-address limits (3 open, a burst of 3, 1 a
 * second), real clients in front of it, each bound to its own loopback address.
 */
final class BehindProxy {
  static final int CLIENTS = 1_500;
  /** The doc's ports: the proxy's, then Keel's. */
  static final int DOC_PROXY_WS = 8000;
  static final int DOC_PROXY_TCP = 9000;
  static final int DOC_KEEL_WS = 8080;
  static final int DOC_KEEL_TCP = 9090;

  final Running keel;
  final ProxyProcess proxy;
  final int proxyWs;
  final int proxyTcp;

  private BehindProxy(Running keel, ProxyProcess proxy, int proxyWs, int proxyTcp) {
    this.keel = keel;
    this.proxy = proxy;
    this.proxyWs = proxyWs;
    this.proxyTcp = proxyTcp;
  }

  /**
   * Keel with the doc's YAML ({@code keelMarker}; null: none, no proxy trusted) and small per-address
   * limits, then the proxy made by
   * {@code start} from the doc's configuration with the ports replaced.
   */
  static BehindProxy start(String keelMarker, Path dir, ProxyStarter start) {
    return start(keelMarker, dir, b -> b, start);
  }

  /** The same, with {@code tune} applied last. */
  static BehindProxy start(String keelMarker, Path dir, UnaryOperator<KeelConfig.Builder> tune, ProxyStarter start) {
    Path yml = keelMarker == null ? null : DocBlocks.write("deployment.md", keelMarker, dir.resolve("keel.yml"));
    Running keel = Servers.start(b -> {
      if (yml != null) {
        ConfigFile.applyTo(b, yml);
      }
      return tune.apply(b.set(CoreOptions.MAX_CONNECTIONS_PER_IP, 3)
          .set(CoreOptions.CONNECT_BURST_PER_IP, 3)
          .set(CoreOptions.CONNECT_RATE_PER_IP, 1));
    });
    try {
      int ws = ProxyProcess.freePort();
      int tcp = ProxyProcess.freePort();
      Map<Integer, Integer> ports = Map.of(DOC_PROXY_WS, ws, DOC_PROXY_TCP, tcp,
          DOC_KEEL_WS, keel.wsPort(), DOC_KEEL_TCP, keel.tcpPort());
      return new BehindProxy(keel, start.start(ports, ws, tcp), ws, tcp);
    } catch (RuntimeException e) {
      keel.close();
      throw e;
    }
  }

  /** Starts the proxy with the doc's ports replaced; waits until it listens on the two given. */
  @FunctionalInterface
  interface ProxyStarter {
    ProxyProcess start(Map<Integer, Integer> ports, int ws, int tcp);
  }

  void close() {
    try {
      proxy.close();
    } finally {
      keel.close();
    }
  }

  /** The i-th client's own address: 127.1.0.1, 127.1.0.2, ... 250 per third octet. */
  static InetAddress client(int block, int i) {
    try {
      return InetAddress.getByAddress(new byte[] {127, (byte) block, (byte) (i / 250), (byte) (i % 250 + 1)});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The address part of a ledger row's {@code remote} ("/127.1.0.7:41234" is 127.1.0.7). */
  static String host(ConnectionInfo c) {
    String r = c.remote();
    return r.substring(r.indexOf('/') + 1, r.lastIndexOf(':'));
  }

  Set<String> ledgerHosts(String transport) throws Exception {
    return keel.connectionList().stream().filter(c -> c.transport().equals(transport)).map(BehindProxy::host)
        .collect(Collectors.toSet());
  }

  RawWebSocket ws(InetAddress from) throws IOException {
    return RawWebSocket.connectFrom(from, proxyWs, "");
  }

  // ------------------------------------------------------------------ what both tests prove

  /** 1,500 clients from distinct addresses, all admitted, each in the ledger with its own address. */
  void admitsFifteenHundredDistinctClientsByTheirOwnAddresses() throws Exception {
    List<RawWebSocket> clients = new ArrayList<>(CLIENTS);
    Set<String> expected = new HashSet<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        InetAddress a = client(1, i);
        clients.add(ws(a)); // throws on anything but 101
        expected.add(a.getHostAddress());
      }
      assertThat(clients).as("clients upgraded through %s", proxy).hasSize(CLIENTS);
      await("the ledger holds every client").atMost(Duration.ofSeconds(20))
          .until(() -> keel.readings().connections("ws") >= CLIENTS);
      assertThat(ledgerHosts("ws")).as("the ledger's addresses are the clients' own, not the proxy's")
          .isEqualTo(expected);
      assertThat(keel.openFrom(InetAddress.getByName("127.0.0.1"))).as("nothing counted against the proxy")
          .isZero();
      assertThat(keel.openFrom(client(1, 7))).as("one open connection counted for a client").isEqualTo(1);
      assertThat(keel.closed(CloseReason.IP_LIMIT) + keel.closed(CloseReason.CONNECT_RATE))
          .as("no client refused by a per-address limit").isZero();
    } finally {
      for (RawWebSocket c : clients) {
        c.close();
      }
    }
    await("every client gone").atMost(Duration.ofSeconds(20)).until(() -> keel.readings().connections("ws") == 0);
  }

  /** A fourth connection from one address is refused; a client reconnecting too fast is too; others are not. */
  void limitsEachRealAddress() throws Exception {
    InetAddress a = client(4, 1);
    List<RawWebSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        held.add(ws(a));
      }
      assertThatThrownBy(() -> ws(a).close()).as("a fourth from the same client address")
          .hasMessageContaining("upgrade refused: HTTP/1.1 503");
      assertThat(keel.closed("ws", CloseReason.IP_LIMIT)).as("counted ip_limit").isEqualTo(1);
      try (RawWebSocket other = ws(client(4, 2))) {
        other.sendText("{\"op\":\"ping\"}");
        assertThat(new String(other.readFrame().payload())).as("another client is served meanwhile")
            .isEqualTo("{\"op\":\"pong\"}");
      }
    } finally {
      for (RawWebSocket c : held) {
        c.close();
      }
    }
    InetAddress fast = client(4, 3);
    int refused = 0;
    for (int i = 0; i < 8; i++) {
      try (RawWebSocket c = ws(fast)) {
        c.socket(); // admitted, and gone again
      } catch (IOException e) {
        assertThat(e).as("a refusal is a 503").hasMessageContaining("HTTP/1.1 503");
        refused++;
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> keel.openFrom(fast) == 0);
    }
    assertThat(refused).as("reconnects over the burst of 3 at 1/s, from one client address").isPositive();
    assertThat(keel.closed("ws", CloseReason.CONNECT_RATE)).as("counted connect_rate").isEqualTo(refused);
  }

  /** Framed TCP through the proxy (a PROXY v1 header) has its client's address and gets what WebSocket publishes. */
  void carriesFramedTcpWithItsClientsAddress() throws Exception {
    InetAddress tcpClient = client(5, 1);
    InetAddress wsClient = client(5, 2);
    try (TcpClient tcp = TcpClient.connect(proxyTcp, tcpClient, 0);
        RawWebSocket ws = ws(wsClient)) {
      tcp.send("{\"op\":\"sub\",\"topic\":\"behind\"}");
      assertThat(tcp.readJson().get("op").asText()).as("subscribed over framed TCP").isEqualTo("subscribed");
      ws.sendText("{\"op\":\"pub\",\"topic\":\"behind\",\"data\":{\"n\":1}}");
      assertThat(tcp.readJson().get("data").get("n").asInt()).as("the WebSocket client's publish, delivered")
          .isEqualTo(1);
      assertThat(ledgerHosts("tcp")).as("the TCP client's own address").containsExactly(tcpClient.getHostAddress());
      assertThat(ledgerHosts("ws")).as("the WebSocket client's own address").containsExactly(wsClient.getHostAddress());
    }
  }

  /** A PROXY header sent straight to Keel by a peer that is not a trusted proxy is refused. */
  void refusesAProxyHeaderFromAnUntrustedPeer() {
    try (TcpClient direct = TcpClient.connect(keel.tcpPort(), client(6, 1), 0)) {
      direct.sendRaw("PROXY TCP4 10.9.9.9 127.0.0.1 1111 9090\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThat(direct.awaitClosed(Duration.ofSeconds(10))).as("closed").isTrue();
    }
    assertThat(keel.closed("tcp", CloseReason.PROXY_PROTOCOL)).as("counted proxy_protocol").isEqualTo(1);
    await("its slot released").atMost(Duration.ofSeconds(10)).until(() -> keel.openFrom(client(6, 1)) == 0);
  }

  /** {@code X-Forwarded-For} sent straight to Keel by an untrusted peer is ignored: it keeps its own address. */
  void ignoresAForwardingHeaderFromAnUntrustedPeer() throws Exception {
    InetAddress self = client(6, 2);
    try (RawWebSocket spoof = RawWebSocket.connectFrom(self, keel.wsPort(), "X-Forwarded-For: 10.9.9.9\r\n")) {
      spoof.sendText("{\"op\":\"ping\"}");
      spoof.readFrame();
      assertThat(ledgerHosts("ws")).as("its own address, not the one it claimed").containsExactly(self.getHostAddress());
      assertThat(keel.openFrom(InetAddress.getByName("10.9.9.9"))).isZero();
    }
  }
}
