package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.api.CloseReason;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.testing.DocBlocks;
import dev.keel.testing.ProxyProcess;
import dev.keel.testing.RawWebSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keel behind a real nginx, configured as docs/deployment.md shows: an HTTP proxy writing
 * X-Forwarded-For in front of the WebSocket port, the stream module with a PROXY v1 header in front of
 * framed TCP ({@link BehindProxy} has what is proved).
 */
class NginxIT {
  @TempDir
  Path dir;
  private BehindProxy keel;

  private BehindProxy start(String keelMarker, UnaryOperator<KeelConfig.Builder> tune) {
    assumeTrue(ProxyProcess.binary("nginx").isPresent(),
        "no nginx on PATH or in /usr/sbin (.ci/run installs Debian's: apt-get install nginx libnginx-mod-stream)");
    String config = DocBlocks.block("deployment.md", "config:nginx.conf");
    assumeTrue(Files.exists(Path.of("/usr/lib/nginx/modules/ngx_stream_module.so")),
        "nginx has no stream module at /usr/lib/nginx/modules (Debian: apt-get install libnginx-mod-stream)");
    String ours = config.replace("/var/log/nginx/", dir.toAbsolutePath() + "/");
    return BehindProxy.start(keelMarker, dir, tune,
        (ports, ws, tcp) -> ProxyProcess.nginx(ProxyProcess.withPorts(ours, ports), dir, ws, tcp));
  }

  @BeforeEach
  void startWithTheDocsConfiguration() {
    keel = start("config:keel-nginx.yml", b -> b);
  }

  @AfterEach
  void stop() {
    if (keel != null) {
      keel.close();
    }
  }

  @Test
  void fifteenHundredClientsFromDistinctAddresses_throughOneNginx_areAllAdmittedByTheirOwnAddress() throws Exception {
    keel.admitsFifteenHundredDistinctClientsByTheirOwnAddresses();
  }

  @Test
  void perAddressLimits_behindNginx_holdForEachClientAddress() throws Exception {
    keel.limitsEachRealAddress();
  }

  @Test
  void framedTcp_throughNginxStream_hasItsClientsAddress_andGetsWhatWebSocketPublishes() throws Exception {
    keel.carriesFramedTcpWithItsClientsAddress();
  }

  @Test
  void proxyHeader_fromAnUntrustedPeer_isRefused() {
    keel.refusesAProxyHeaderFromAnUntrustedPeer();
  }

  @Test
  void forwardingHeader_fromAnUntrustedPeer_isIgnored() throws Exception {
    keel.ignoresAForwardingHeaderFromAnUntrustedPeer();
  }

  @Test
  void forwardingHeader_spoofedThroughNginx_isIgnored_theAddressNginxSawIsTaken() throws Exception {
    InetAddress self = BehindProxy.client(6, 4);
    try (RawWebSocket spoof = RawWebSocket.connectFrom(self, keel.proxyWs, "X-Forwarded-For: 10.9.9.9\r\n")) {
      spoof.sendText("{\"op\":\"ping\"}");
      spoof.readFrame();
      assertThat(keel.ledgerHosts("ws")).as("nginx appended the real address; Keel read that one")
          .containsExactly(self.getHostAddress());
      assertThat(keel.keel.openFrom(InetAddress.getByName("10.9.9.9"))).as("nothing for the claimed address").isZero();
    }
  }

  @Test
  void withoutTrustedProxies_everyClientCountsAsNginx_andTheFourthIsRefused() throws Exception {
    keel.close();
    // Keel's defaults: no proxy trusted. A connect rate high enough that only the cap of 3 matters.
    keel = start(null, b -> b.set(CoreOptions.CONNECT_BURST_PER_IP, 100).set(CoreOptions.CONNECT_RATE_PER_IP, 100));
    List<RawWebSocket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        clients.add(keel.ws(BehindProxy.client(7, i)));
      }
      assertThatThrownBy(() -> keel.ws(BehindProxy.client(7, 3)).close())
          .as("a fourth client, from a fourth address: over max-connections-per-ip 3 for nginx's address")
          .hasMessageContaining("503");
      assertThat(keel.ledgerHosts("ws")).as("all of them the proxy's address").containsExactly("127.0.0.1");
      assertThat(keel.keel.closed("ws", CloseReason.IP_LIMIT)).isEqualTo(1);
    } finally {
      for (RawWebSocket c : clients) {
        c.close();
      }
    }
  }
}
