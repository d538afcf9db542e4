package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.testing.LeakReportExtension;
import dev.keel.testing.Ports;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The warm-up's private listener (its port is package-private, hence this package): on loopback, a port
 * of its own, and closed by the time the server has started.
 */
@ExtendWith(LeakReportExtension.class)
class WarmupListenerIT {

  @Test
  void privateListener_isClosed_onceTheServerHasStarted() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300)))) {
      int port = server.server().warmupPort();
      assertThat(server.delivered()).as("the warm-up ran").isGreaterThan(100);
      assertThat(port).as("its own port, neither public one").isPositive()
          .isNotEqualTo(server.wsPort()).isNotEqualTo(server.tcpPort());
      assertThat(Ports.refuses(port)).as("127.0.0.1:%d, the warm-up's listener, after start", port).isTrue();
      assertThat(server.connections()).as("the warm-up's connections, ended before the public listeners opened")
          .isZero();
      assertThat(server.reserved()).as("max-connections slots still held").isZero();
    }
  }

  @Test
  void noPrivateListener_whenTheWarmupIsSkipped() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.WARMUP, Duration.ofMillis(300))
        .set(CoreOptions.MAX_CONNECTIONS, 1_000))) {
      assertThat(server.server().warmupPort()).as("skipped: nothing bound for it").isEqualTo(-1);
      assertThat(server.opened()).isZero();
    }
  }

}
