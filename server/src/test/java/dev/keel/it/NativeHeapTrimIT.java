package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.serve.ServeOptions;
import dev.keel.spi.Meters;
import dev.keel.testing.LeakReportExtension;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** native-heap-trim on the real server: a load that ends is followed by a trim of the C heap. */
@ExtendWith(LeakReportExtension.class)
class NativeHeapTrimIT {
  private static double trims(Running server) {
    return server.probe().host().meters().all().stream().filter(m -> m.name().equals("keel_native_heap_trims_total"))
        .mapToDouble(Meters.Meter::value).findFirst().orElse(Double.NaN);
  }

  @Test
  void loadThatEnds_isFollowedByATrim() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.NATIVE_HEAP_TRIM, Duration.ofMillis(100)))) {
      assertThat(trims(server)).as("no load yet, no trim").isZero();
      byte[] data = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 2_000; i++) {
        server.publish("t", data, n -> { }, why -> { });
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> trims(server) >= 1);
    }
  }

  @Test
  void connectionsThatAllClose_areFollowedByATrim() throws Exception {
    try (Running server = Servers.start(b -> b.set(ServeOptions.NATIVE_HEAP_TRIM, Duration.ofMillis(100)))) {
      List<TcpClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 200; i++) {
          clients.add(TcpClient.connect(server.tcpPort()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> trims(server) >= 1); // the connects' end
      } finally {
        for (TcpClient c : clients) {
          c.close();
        }
      }
      double before = trims(server);
      // Closes are the only activity from here: without them counted, no load would be seen to end.
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 0);
      await().atMost(Duration.ofSeconds(10)).until(() -> trims(server) > before);
    }
  }

  @Test
  void off_neverTrims_butTheCounterIsThere() {
    try (Running server = Servers.start(b -> b.set(ServeOptions.NATIVE_HEAP_TRIM, Duration.ZERO))) {
      assertThat(trims(server)).as("exported as 0 when off").isZero();
    }
  }
}
