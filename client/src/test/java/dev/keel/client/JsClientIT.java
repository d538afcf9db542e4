package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keel.config.CoreOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client's tests ({@code clients/js/test}, {@code node --test}) against the real server:
 * each test here starts {@code keel serve} with the options its scenario needs and hands its URL to Node
 * as {@code KEEL_URL}, with, where Node needs the server side to act (restart it, flood it), a small
 * control server ({@code KEEL_CONTROL}). Node 20 or later must be on the PATH ({@code .ci/run} installs
 * it); without it the tests are skipped and say so.
 */
class JsClientIT {
  private static final Path JS = Path.of("..", "clients", "js");
  private static final String SECRET = "0123456789abcdef0123456789abcdef-jsclient";

  @Test
  void nodeTests_passAgainstTheRealServer() throws Exception {
    String node = Node.require();
    try (TestServer server = TestServer.start()) {
      runNode(node, Map.of("KEEL_URL", server.uri().toString()), "test/unit.test.js", "test/server.test.js");
    }
  }

  /** restart.test.js: {@code GET /restart} stops the server and starts a new one on the same port. */
  @Test
  void nodeTests_serverRestartedMidStream() throws Exception {
    String node = Node.require();
    AtomicReference<TestServer> server = new AtomicReference<>(TestServer.start());
    int port = server.get().port();
    try (Control control = new Control(Map.of("/restart", ex -> {
      server.get().close();
      server.set(TestServer.start(port, b -> b));
      return "restarted";
    }))) {
      runNode(node, Map.of("KEEL_URL", server.get().uri().toString(), "KEEL_CONTROL", control.url()),
          "test/restart.test.js");
    } finally {
      server.get().close();
    }
  }

  /**
   * cut.test.js: {@code GET /flood?topic=T} publishes 60 kB messages on T until the server has begun
   * to cut a slow consumer, then creates the file {@code KEEL_FLAG} (which the stalled Node handler
   * waits for) and answers with how many it published.
   */
  @Test
  void nodeTests_slowConsumerCut() throws Exception {
    String node = Node.require();
    Path flag = Files.createTempFile("keel-cut", ".flag");
    Files.delete(flag);
    // History holds one 60 kB message: the client, cut, cannot get back what it missed and must say so.
    // (With a history large enough to replay more than the 128 KiB queue holds, the server cuts the
    // recovering connection again before its subscribed reply is queued, so a client learns nothing
    // and is cut on every reconnect: RegistryTopics queues the reply after the replay. Not fixed here.)
    // Node reads nothing while its handler spins, so its goodbye may wait behind data the socket
    // buffers cannot take: the flag is raised once the cut has begun (not ended), and the close
    // timeout gives Node time to read its way to the goodbye (as in KeelClientIT's cut).
    try (TestServer server = TestServer.start(0, b -> b.set(CoreOptions.OUTBOUND_QUEUE_BYTES, 128 * 1024)
        .set(CoreOptions.HISTORY_MAX_BYTES, 64 * 1024).set(CoreOptions.CLOSE_TIMEOUT, Duration.ofSeconds(30)));
        Control control = new Control(Map.of("/flood", ex -> {
          String topic = ex.getRequestURI().getQuery().replace("topic=", "");
          String pad = "x".repeat(60_000);
          int published = 0;
          while (published < 2000 && (published % 50 != 0 || !server.slowConsumerCutBegun())) {
            published++;
            server.publish(topic, "{\"n\":" + published + ",\"pad\":\"" + pad + "\"}");
          }
          await().atMost(Duration.ofSeconds(10)).until(server::slowConsumerCutBegun);
          Files.createFile(flag);
          return Integer.toString(published);
        }))) {
      runNode(node, Map.of("KEEL_URL", server.uri().toString(), "KEEL_CONTROL", control.url(),
          "KEEL_FLAG", flag.toString()), "test/cut.test.js");
    } finally {
      Files.deleteIfExists(flag);
    }
  }

  /** token.test.js: authentication on; Node signs its own HS256 tokens with {@code KEEL_SECRET}. */
  @Test
  void nodeTests_tokenExpiry() throws Exception {
    String node = Node.require();
    try (TestServer server = TestServer.start(0, b -> b.set(CoreOptions.AUTH_HMAC_SECRET, SECRET))) {
      runNode(node, Map.of("KEEL_URL", server.uri().toString(), "KEEL_SECRET", SECRET), "test/token.test.js");
    }
  }

  private static void runNode(String node, Map<String, String> env, String... files) throws Exception {
    // Node's output goes to a file, read once Node has ended or been stopped: reading the pipe here
    // would block past the timeout for as long as a hung test keeps Node alive.
    Path log = Files.createTempFile("keel-node-test", ".log");
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(node, "--experimental-websocket", "--test",
        "--test-timeout=120000"));
    cmd.addAll(java.util.List.of(files));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(JS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    // Each step of a Node test has its own bound, which names the step when it fails; the file's
    // timeout is past their sum, and this wait past that.
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    assertThat(done).as("node --test finished within 180 s:\n" + out).isTrue();
    assertThat(p.exitValue()).as("node --test passed:\n" + out).isZero();
    assertThat(out).as("the server tests ran, not skipped:\n" + out).contains("# skipped 0").contains("# fail 0")
        .doesNotContainPattern("# pass 0\\b");
  }

  /** What the control server does for a path; its answer is the response body. */
  @FunctionalInterface
  private interface Action {
    String run(HttpExchange exchange) throws Exception;
  }

  /** A loopback HTTP server through which a Node test asks the Java side to act on the Keel server. */
  private static final class Control implements AutoCloseable {
    private final HttpServer http;

    Control(Map<String, Action> actions) throws IOException {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      actions.forEach((path, action) -> http.createContext(path, ex -> {
        try (ex) {
          byte[] body;
          int status;
          try {
            body = action.run(ex).getBytes(StandardCharsets.UTF_8);
            status = 200;
          } catch (Exception | AssertionError e) {
            body = e.toString().getBytes(StandardCharsets.UTF_8);
            status = 500;
          }
          ex.sendResponseHeaders(status, body.length);
          ex.getResponseBody().write(body);
        }
      }));
      http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
      http.start();
    }

    String url() {
      return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }
}
