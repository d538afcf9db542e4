package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.WsClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reconnect storm: 2,000 JavaScript clients (one Node process, clients/js/storm) connected through a
 * relay whose connections are all reset at once. They must come back spread over their backoff window
 * (full jitter), not in lockstep, and the server must answer a ping meanwhile. Measured and printed:
 * when the clients noticed the drop, when each tried again (its new socket) and when it was connected
 * again, from the first drop. The bounds asserted are loose (a uniform spread over 1 s has p10 about
 * 100 ms and p90 about 900 ms).
 */
class StormIT {
  private static final int CLIENTS = 2000;
  private static final int WINDOW_MS = 1000;

  @Test
  void twoThousandClientsDroppedAtOnce_reconnectSpreadOverTheWindow_andTheServerStaysResponsive() throws Exception {
    String node = Node.require();
    try (TestServer server = TestServer.start(); ResettingProxy proxy = new ResettingProxy(server.port())) {
      ProcessBuilder pb = new ProcessBuilder(node, "--experimental-websocket", "storm/storm.mjs")
          .directory(Path.of("..", "clients", "js").toFile()).redirectErrorStream(true);
      pb.environment().put("KEEL_URL", "ws://127.0.0.1:" + proxy.port() + "/ws");
      pb.environment().put("STORM_CLIENTS", String.valueOf(CLIENTS));
      pb.environment().put("STORM_WINDOW_MS", String.valueOf(WINDOW_MS));
      Process p = pb.start();
      List<String> out = new ArrayList<>();
      String storm = null;
      long pingMillis = -1;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.add(line);
          if (line.equals("READY")) {
            assertThat(server.probe.connections()).as("every client connected").isGreaterThanOrEqualTo(CLIENTS);
            proxy.resetAll();
            try (WsClient probe = WsClient.connect(server.port())) {
              long start = System.nanoTime();
              probe.send("{\"op\":\"ping\"}");
              probe.next(Duration.ofSeconds(10));
              pingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
          } else if (line.startsWith("STORM")) {
            storm = line;
          }
        }
      }
      assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the storm ended: " + out).isTrue();
      System.out.println("reconnect storm: " + storm + ", ping during it " + pingMillis + " ms");
      assertThat(storm).as("measured: " + out).startsWith("STORM {");
      var m = WsClient.parse(storm.substring("STORM ".length()));
      var attempts = m.get("attempts");
      assertThat(attempts.get("p90").asDouble() - attempts.get("p10").asDouble())
          .as("retries spread over the window, not in lockstep " + storm).isGreaterThan(WINDOW_MS * 0.5);
      for (var b : m.get("buckets")) {
        // retries per 100 ms slice after the first drop; uniform over the 1 s window would be 10% a slice
        assertThat(b.asInt()).as("no 100 ms slice holds a quarter of the retries " + storm).isLessThan(CLIENTS / 4);
      }
      assertThat(m.get("connected").get("max").asDouble()).as("every client back within 30 s " + storm).isLessThan(30_000);
      assertThat(pingMillis).as("the server answered a ping during the storm").isBetween(0L, 2000L);
    }
  }
}
