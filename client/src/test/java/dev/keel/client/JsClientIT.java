package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client's tests ({@code clients/js/test}, {@code node --test}) against the real server:
 * this starts {@code keel serve} and hands its URL to Node as {@code KEEL_URL}. Node 20 or later must be on
 * the PATH ({@code .ci/run} installs Debian's {@code nodejs}); without it the test is skipped and says so.
 */
class JsClientIT {
  private static final Path JS = Path.of("..", "clients", "js");

  private static String node() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "node");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  @Test
  void nodeTests_passAgainstTheRealServer() throws Exception {
    String node = node();
    Assumptions.assumeTrue(node != null, "node is not installed: the JavaScript client's tests need Node 20+ (.ci/run)");
    Process v = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
    String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    v.waitFor(10, TimeUnit.SECONDS);
    int major = version.matches("v\\d+\\..*") ? Integer.parseInt(version.substring(1, version.indexOf('.'))) : 0;
    Assumptions.assumeTrue(major >= 20, "node " + version + " has no WebSocket: the JavaScript client's tests need Node 20+");
    try (TestServer server = TestServer.start()) {
      ProcessBuilder pb = new ProcessBuilder(node, "--experimental-websocket", "--test", "test/")
          .directory(JS.toFile()).redirectErrorStream(true);
      pb.environment().put("KEEL_URL", server.uri().toString());
      Process p = pb.start();
      boolean done = p.waitFor(120, TimeUnit.SECONDS);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) {
        p.destroyForcibly();
      }
      assertThat(done).as("node --test finished within 120 s:\n" + out).isTrue();
      assertThat(p.exitValue()).as("node --test passed:\n" + out).isZero();
      assertThat(out).as("the server tests ran, not skipped:\n" + out).contains("# skipped 0").contains("# fail 0");
    }
  }
}
