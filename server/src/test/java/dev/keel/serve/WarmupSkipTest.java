package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Where the warm-up's connections would crowd a bound, it is skipped and says which bound. */
class WarmupSkipTest {

  private static String reason(UnaryOperator<KeelConfig.Builder> tune) {
    return Warmup.skipReason(tune.apply(PubSubServer.config()).build(), 8080);
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
}
