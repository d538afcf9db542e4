package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Ports;
import dev.keel.config.ProxyProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the warm-up's connections would crowd a bound, or it cannot make a token, it is skipped and says
 * why; TLS, a PROXY header or a public host do not stop it (its private listener has none of them).
 */
class WarmupSkipTest {

  private static String reason(UnaryOperator<KeelConfig.Builder> tune) {
    return Warmup.skipReason(tune.apply(PubSubServer.config()).build());
  }

  @Test
  void runs_atTheDefaults_whereTheDescriptorLimitHasRoom() {
    long fds = Warmup.descriptorLimit();
    String why = reason(b -> b);
    if (fds < 0 || fds >= 8L * Warmup.CONNECTIONS) {
      assertThat(why).as("no bound crowded (file-descriptor limit %d)", fds).isNull();
    } else {
      assertThat(why).contains("file-descriptor limit");
    }
  }

  @Test
  void skipped_whenItsConnectionsWouldBeMoreThanAQuarterOfMaxConnections() {
    assertThat(reason(b -> b.set(CoreOptions.MAX_CONNECTIONS, 4 * Warmup.CONNECTIONS - 1)))
        .contains("max-connections (" + (4 * Warmup.CONNECTIONS - 1) + ")");
    assertThat(reason(b -> b.set(CoreOptions.MAX_CONNECTIONS, 4 * Warmup.CONNECTIONS))).isNull();
  }

  @Test
  void skipped_whenItsConnectionsWouldBeMoreThanAQuarterOfMaxSockets() {
    assertThat(reason(b -> b.set(CoreOptions.MAX_SOCKETS, 1_000))).contains("max-sockets (1000)");
    assertThat(reason(b -> b.set(CoreOptions.MAX_SOCKETS, 0))).as("0: derived from the descriptor limit").isNull();
  }

  @Test
  void skipped_whenOff_orTheWebSocketListenerIsOff() {
    assertThat(reason(b -> b.set(ServeOptions.WARMUP, java.time.Duration.ZERO))).isEqualTo("off");
    assertThat(reason(b -> b.set(CoreOptions.WS_PORT, Ports.OFF))).isEqualTo("the WebSocket listener is off");
  }

  @Test
  void skipped_whenTokensAreCheckedByPublicKeyOnly(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("key.pem"), "not parsed here");
    assertThat(reason(b -> b.set(CoreOptions.AUTH_PUBLIC_KEY, key.toString()))).contains("public key only");
  }

  @Test
  void runs_withTlsAProxyHeaderOrANonLoopbackHost_onItsPlainLoopbackListener(@TempDir Path dir) throws Exception {
    assumeRoom();
    Path pem = Files.writeString(dir.resolve("cert.pem"), "not parsed here");
    assertThat(reason(b -> b.set(CoreOptions.TLS_CERT, pem.toString()).set(CoreOptions.TLS_KEY, pem.toString())))
        .as("TLS on the public listeners").isNull();
    assertThat(reason(b -> b.set(CoreOptions.TRUSTED_PROXIES, List.of("10.0.0.0/8"))
        .set(CoreOptions.PROXY_PROTOCOL, ProxyProtocol.BOTH))).as("PROXY headers on the public listeners").isNull();
    assertThat(reason(b -> b.set(CoreOptions.HOST, "192.0.2.1").set(CoreOptions.INSECURE, true)))
        .as("a host that is not loopback").isNull();
  }

  /** The descriptor limit of the JVM running the tests leaves the warm-up room (else nothing to test here). */
  private static void assumeRoom() {
    long fds = Warmup.descriptorLimit();
    org.junit.jupiter.api.Assumptions.assumeTrue(fds < 0 || fds >= 8L * Warmup.CONNECTIONS,
        "the file-descriptor limit (" + fds + ") is too low for the warm-up");
  }
}
