package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.api.CloseReason;
import dev.keel.testing.DocBlocks;
import dev.keel.testing.ProxyProcess;
import dev.keel.testing.TcpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keel behind a real HAProxy, configured as docs/deployment.md shows: PROXY protocol v2 in front of the
 * WebSocket port, v1 in front of framed TCP ({@link BehindProxy} has what is proved).
 */
class HaproxyIT {
  @TempDir
  Path dir;
  private BehindProxy keel;

  @BeforeEach
  void start() {
    assumeTrue(ProxyProcess.binary("haproxy").isPresent(),
        "no haproxy on PATH or in /usr/sbin (.ci/run installs Debian's: apt-get install haproxy)");
    String config = DocBlocks.block("deployment.md", "config:haproxy.cfg");
    keel = BehindProxy.start("config:keel-haproxy.yml", dir,
        (ports, ws, tcp) -> ProxyProcess.haproxy(ProxyProcess.withPorts(config, ports), dir, ws, tcp));
  }

  @AfterEach
  void stop() {
    if (keel != null) {
      keel.close();
    }
  }

  @Test
  void fifteenHundredClientsFromDistinctAddresses_throughOneHaproxy_areAllAdmittedByTheirOwnAddress() throws Exception {
    keel.admitsFifteenHundredDistinctClientsByTheirOwnAddresses();
  }

  @Test
  void perAddressLimits_behindHaproxy_holdForEachClientAddress() throws Exception {
    keel.limitsEachRealAddress();
  }

  @Test
  void framedTcp_throughHaproxy_hasItsClientsAddress_andGetsWhatWebSocketPublishes() throws Exception {
    keel.carriesFramedTcpWithItsClientsAddress();
  }

  @Test
  void proxyHeader_fromAnUntrustedPeer_isRefused_onBothListeners() throws Exception {
    keel.refusesAProxyHeaderFromAnUntrustedPeer();
    try (TcpClient direct = TcpClient.connect(keel.keel.wsPort(), BehindProxy.client(6, 3), 0)) {
      direct.sendRaw(("PROXY TCP4 10.9.9.9 127.0.0.1 1111 8080\r\nGET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(direct.awaitClosed(Duration.ofSeconds(10))).as("closed on the WebSocket port too").isTrue();
    }
    assertThat(keel.keel.closed("ws", CloseReason.PROXY_PROTOCOL)).as("counted proxy_protocol").isEqualTo(1);
  }

  @Test
  void forwardingHeader_fromAnUntrustedPeer_isIgnored() throws Exception {
    keel.ignoresAForwardingHeaderFromAnUntrustedPeer();
  }

  @Test
  void trustedProxy_connectingWithoutAHeader_isRefused() {
    try (TcpClient fromProxyHost = TcpClient.connect(keel.keel.tcpPort(), null, 0)) { // 127.0.0.1: trusted
      fromProxyHost.send("{\"op\":\"ping\"}");
      assertThat(fromProxyHost.awaitClosed(Duration.ofSeconds(10))).as("a header is required from it").isTrue();
    }
    assertThat(keel.keel.closed("tcp", CloseReason.PROXY_PROTOCOL)).as("counted proxy_protocol").isEqualTo(1);
  }
}
