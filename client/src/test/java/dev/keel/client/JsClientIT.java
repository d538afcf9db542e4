package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client's tests ({@code clients/js/test}, {@code node --test}) against the real server:
 * this starts {@code keel serve} and hands its URL to Node as {@code KEEL_URL}. Node 20 or later must be on
 * the PATH ({@code .ci/run} installs Debian's {@code nodejs}); without it the test is skipped and says so.
 */
class JsClientIT {
  private static final Path JS = Path.of("..", "clients", "js");

  @Test
  void nodeTests_passAgainstTheRealServer() throws Exception {
    String node = Node.require();
    try (TestServer server = TestServer.start()) {
      // Node's output goes to a file, read once Node has ended or been stopped: reading the pipe here
      // would block past the timeout for as long as a hung test keeps Node alive.
      Path log = Files.createTempFile("keel-node-test", ".log");
      ProcessBuilder pb = new ProcessBuilder(node, "--experimental-websocket", "--test", "--test-timeout=60000", "test/")
          .directory(JS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("KEEL_URL", server.uri().toString());
      Process p = pb.start();
      boolean done = p.waitFor(120, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      assertThat(done).as("node --test finished within 120 s:\n" + out).isTrue();
      assertThat(p.exitValue()).as("node --test passed:\n" + out).isZero();
      assertThat(out).as("the server tests ran, not skipped:\n" + out).contains("# skipped 0").contains("# fail 0");
    }
  }
}
