package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.testing.Http;
import dev.keel.testing.Ports;
import dev.keel.testing.WsClient;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real command line in its own process: `keel serve` starts, and SIGTERM drains and exits 0. */
class ServeProcessIT {
  @Test
  void sigtermDuringTheWarmUp_stopsItWithoutOpeningThePorts_andExitsZero() throws Exception {
    int port;
    int admin;
    try (ServerSocket free = new ServerSocket(0); ServerSocket free2 = new ServerSocket(0)) {
      port = free.getLocalPort();
      admin = free2.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.keel.cli.Main", "serve", "--ws-port", Integer.toString(port), "--tcp-port", "off",
        "--admin-port", Integer.toString(admin), "--warmup", "1m", "--shutdown-grace", "5s"));
    File log = new File(System.getProperty("java.io.tmpdir"), "keel-serve-process-it-warmup.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    try {
      // The admin port opens before the warm-up and serves through it; the public port opens after it.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> Http.get(admin, "/metrics").statusCode() == 200);
      assertThat(Ports.refuses(port)).as("the public port while the warm-up runs").isTrue();
      p.destroy(); // SIGTERM, about a minute before the warm-up would end
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("process exited long before its warm-up's minute").isTrue();
      assertThat(p.exitValue()).as("exit status after a SIGTERM during the warm-up").isZero();
      String printed = Files.readString(log.toPath());
      assertThat(printed).as("no start banner: the ports never opened").doesNotContain("Ctrl-C (or SIGTERM)");
      assertThat(printed).as("no start failure reported").doesNotContain("cannot start");
    } finally {
      p.destroyForcibly();
    }
  }


  @Test
  void sigtermDrainsClientsWith1001AndExitsZero() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.keel.cli.Main", "serve", "--ws-port", Integer.toString(port), "--tcp-port", "off", "--admin-port", "0",
        "--shutdown-grace", "5s"));
    File log = new File(System.getProperty("java.io.tmpdir"), "keel-serve-process-it.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    try {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> Http.get(port, "/healthz").statusCode() == 200);
      try (WsClient ws = WsClient.connect(port)) {
        ws.send("{\"op\":\"sub\",\"topic\":\"x\"}");
        ws.next();
        p.destroy(); // SIGTERM
        WsClient.Closed closed = ws.awaitClose(Duration.ofSeconds(20));
        assertThat(closed.code()).as("close code on SIGTERM").isEqualTo(1001);
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("process exited after the drain").isTrue();
      assertThat(p.exitValue()).as("exit status after a drained SIGTERM").isZero();
      String printed = Files.readString(log.toPath());
      assertThat(printed).as("the start banner: where to connect, publish and watch, and how to stop")
          .contains("ws://127.0.0.1:" + port + "/ws").contains("POST http://127.0.0.1:" + port + "/api/publish")
          .contains("dashboard").contains("auth       none").contains("Ctrl-C (or SIGTERM) drains and stops");
    } finally {
      p.destroyForcibly();
    }
  }
}
