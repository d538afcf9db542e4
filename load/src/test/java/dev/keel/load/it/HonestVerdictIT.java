package dev.keel.load.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.admin.AdminOptions;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Ports;
import dev.keel.load.testing.FakeAdmin;
import dev.keel.load.testing.LoadRun;
import dev.keel.serve.PubSubServer;
import dev.keel.testing.HostProbe;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that did not do what it set out to ends with exit 2 and says why, whatever the memory did:
 * against a real Keel server in this JVM whose limits refuse the load, the verdict names the server's
 * refusal reasons from its close counters, and the HTML report shows it at the top.
 */
class HonestVerdictIT {
  @TempDir
  Path dir;

  private static PubSubServer start(HostProbe probe, UnaryOperator<KeelConfig.Builder> limits) throws InterruptedException {
    return PubSubServer.start(limits.apply(PubSubServer.config()
        .set(AdminOptions.ADMIN_PORT, Ports.OFF)
        .set(dev.keel.serve.ServeOptions.WARMUP, java.time.Duration.ZERO)
        .set(CoreOptions.WS_PORT, 0)
        .set(CoreOptions.TCP_PORT, 0))
        .build(), probe);
  }

  private static String verdictBox(String html) {
    int at = html.indexOf("<div class=\"v ");
    return html.substring(at, html.indexOf("</div>", at));
  }

  @Test
  void churnFromOneAddress_mostlyRefusedByTheConnectRate_exitsTwoNamingConnectRate() throws Exception {
    HostProbe probe = new HostProbe();
    try (PubSubServer server = start(probe, b -> b.set(CoreOptions.CONNECT_RATE_PER_IP, 1).set(CoreOptions.CONNECT_BURST_PER_IP, 5));
         FakeAdmin admin = FakeAdmin.of(probe)) {
      LoadRun r = LoadRun.run(dir, "churn", "--ws-port", Integer.toString(server.wsPort()),
          "--tcp-port", Integer.toString(server.tcpPort()), "--admin-url", admin.url(), "-n", "50",
          "--lifetime", "100ms..300ms", "--duration", "3s", "--source-addresses", "1", "--settle", "5s",
          "--max-thread-growth", "16");
      assertThat(r.exit()).as(r.describe()).isEqualTo(2);
      String failure = r.summary().path("failure").asText();
      assertThat(failure).as(r.describe()).contains("connections never reached the target")
          .contains("connects were mostly refused").contains("The server refused them: connect_rate")
          .contains("--connect-rate-per-ip");
      assertThat(r.summary().path("server").path("closesDuringRun").path("connect_rate").asLong())
          .as("the server's own count").isPositive();
      assertThat(r.out()).as("the text summary ends with it").contains("verdict: RUN FAILED: connections never reached");
      assertThat(verdictBox(r.html())).as("the HTML report's first box").contains("class=\"v failed\"")
          .contains("RUN FAILED").contains("connect_rate").contains("exit 2");
      assertThat(r.html().indexOf("RUN FAILED")).as("at the top, before the checks and charts")
          .isLessThan(r.html().indexOf("<table>"));
    }
  }

  @Test
  void idleOverMaxConnections_neverReachesItsTarget_exitsTwoNamingServerFull() throws Exception {
    HostProbe probe = new HostProbe();
    try (PubSubServer server = start(probe, b -> b.set(CoreOptions.MAX_CONNECTIONS, 10));
         FakeAdmin admin = FakeAdmin.of(probe)) {
      LoadRun r = LoadRun.run(dir, "idle", "--ws-port", Integer.toString(server.wsPort()),
          "--tcp-port", Integer.toString(server.tcpPort()), "--admin-url", admin.url(), "-n", "30",
          "--duration", "1s", "--settle", "5s", "--max-thread-growth", "16");
      assertThat(r.exit()).as(r.describe()).isEqualTo(2);
      assertThat(r.summary().path("failure").asText()).as(r.describe())
          .contains("at most 10 of 30 were established at once").contains("server_full 20")
          .contains("--max-connections");
      assertThat(r.summary().path("clients").path("peakEstablished").asInt()).isEqualTo(10);
    }
  }
}
