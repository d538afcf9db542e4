package dev.keel.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The {@code node} on the PATH, 20 or later (for its WebSocket), or the test is skipped saying why. */
final class Node {
  private Node() {}

  static String require() throws IOException, InterruptedException {
    String node = null;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "node");
      if (node == null && Files.isExecutable(p)) {
        node = p.toString();
      }
    }
    Assumptions.assumeTrue(node != null, "node is not installed: the JavaScript client's tests need Node 20+ (.ci/run)");
    Process v = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
    String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    v.waitFor(10, TimeUnit.SECONDS);
    int major = version.matches("v\\d+\\..*") ? Integer.parseInt(version.substring(1, version.indexOf('.'))) : 0;
    Assumptions.assumeTrue(major >= 20, "node " + version + " has no WebSocket: the JavaScript client's tests need Node 20+");
    return node;
  }
}
