package dev.keel.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real reverse proxy ({@code haproxy} or {@code nginx}, the machine's own: Debian packages that
 * .ci/run installs) started with a configuration from docs/deployment.md, its ports replaced by free
 * ones, in the foreground of its own process; {@link #close()} stops it and every process it started.
 *
 * <p>Usage: {@code try (ProxyProcess p = ProxyProcess.haproxy(config, dir)) { ... p.port(8000) ... }}
 */
public final class ProxyProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private ProxyProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** The binary on PATH or in the sbin directories, if installed. */
  public static Optional<Path> binary(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
    for (String d : dirs) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** A port no one listens on now (the usual race is harmless on a test machine). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code config} with each ":PORT" of {@code ports} replaced (a doc's 8000 by a free port, say). */
  public static String withPorts(String config, Map<Integer, Integer> ports) {
    String out = config;
    for (Map.Entry<Integer, Integer> e : ports.entrySet()) {
      out = out.replaceAll(":" + e.getKey() + "\\b", ":" + e.getValue());
    }
    return out;
  }

  /** {@code haproxy -db -f CONFIG}: in the foreground; ready once every port in {@code listens} accepts. */
  public static ProxyProcess haproxy(String config, Path dir, int... listens) {
    Path cfg = write(dir, "haproxy.cfg", config);
    Path log = dir.resolve("haproxy.log");
    return start("haproxy", List.of(binary("haproxy").orElseThrow().toString(), "-db", "-f", cfg.toString()),
        log, listens);
  }

  /** {@code nginx -c CONFIG} with {@code daemon off}, its pid and error log in {@code dir}. */
  public static ProxyProcess nginx(String config, Path dir, int... listens) {
    Path cfg = write(dir, "nginx.conf", config);
    Path log = dir.resolve("nginx.log");
    String globals = "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log " + dir.resolve("error.log") + " info;";
    return start("nginx", List.of(binary("nginx").orElseThrow().toString(), "-p", dir.toString(), "-c", cfg.toString(),
        "-g", globals), log, listens);
  }

  private static Path write(Path dir, String file, String text) {
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(file), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ProxyProcess start(String name, List<String> command, Path log, int... listens) {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProxyProcess proxy = new ProxyProcess(name, p, log);
    try {
      await(name + " listening on " + java.util.Arrays.toString(listens) + " (log: " + log + ")")
          .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> {
            if (!p.isAlive()) {
              throw new IllegalStateException(name + " exited " + p.exitValue() + ": " + proxy.log());
            }
            for (int port : listens) {
              try (Socket s = new Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
              } catch (IOException notYet) {
                return false;
              }
            }
            return true;
          });
    } catch (RuntimeException e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  /** What the proxy wrote to its stdout and stderr. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList(); // nginx's workers
    process.destroy(); // SIGTERM: both stop at once, closing every connection
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    for (ProcessHandle c : children) {
      c.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
