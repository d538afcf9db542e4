package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.admin.AdminOptions;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * compiler-nice on real servers: the C2 compiler threads run at the configured nice value once the
 * server is up, and nothing else is touched. Linux only (/proc, per-thread nice values).
 *
 * <p>In order, with rising values: raising a nice value needs no privilege, lowering it does, and the
 * in-process cases share this JVM's compiler threads.
 */
@EnabledOnOs(OS.LINUX)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompilerNiceIT {

  /** Thread name (as /proc has it) to nice value, for every thread of process {@code pid}. */
  private static Map<String, Integer> nices(String pid) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
          out.put(name + "#" + t.getFileName(), Integer.parseInt(f[19 - 3]));
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return out;
  }

  private static Map<String, Integer> c2(Map<String, Integer> all) {
    Map<String, Integer> c2 = new TreeMap<>(all);
    c2.keySet().removeIf(k -> !k.startsWith(CompilerNice.C2_PREFIX));
    return c2;
  }

  private static Map<String, Integer> others(Map<String, Integer> all) {
    Map<String, Integer> rest = new TreeMap<>(all);
    rest.keySet().removeIf(k -> k.startsWith(CompilerNice.C2_PREFIX));
    return rest;
  }

  private static KeelConfig config(int nice) {
    return PubSubServer.config()
        .set(CoreOptions.WS_PORT, 0)
        .set(CoreOptions.TCP_PORT, 0)
        .set(AdminOptions.ADMIN_PORT, 0)
        .set(ServeOptions.WARMUP, Duration.ZERO)
        .set(ServeOptions.COMPILER_NICE, nice)
        .build();
  }

  @Test
  @Order(1)
  void zero_leavesEveryThreadAsItWas() throws Exception {
    Map<String, Integer> before = c2(nices("self"));
    try (PubSubServer server = PubSubServer.start(config(0))) {
      assertThat(server.wsPort()).as("the server's port").isPositive();
      assertThat(c2(nices("self"))).as("C2 threads with compiler-nice 0").isEqualTo(before);
    }
  }

  @Test
  @Order(2)
  void withoutAWarmUp_theC2ThreadsAreLoweredBeforeThePortsOpen_andNoOtherThreadIs() throws Exception {
    Map<String, Integer> othersBefore = others(nices("self"));
    assertThat(CompilerNice.c2Threads()).as("this JVM has C2 compiler threads").isNotEmpty();
    try (PubSubServer server = PubSubServer.start(config(5))) {
      assertThat(server.wsPort()).as("the server's port").isPositive();
      Map<String, Integer> after = nices("self");
      assertThat(c2(after).values()).as("every C2 compiler thread's nice once started: %s", c2(after)).isNotEmpty()
          .allMatch(n -> n == 5);
      // Threads that existed before keep their value (the server's own new threads inherit the starter's).
      Map<String, Integer> kept = others(after);
      kept.keySet().retainAll(othersBefore.keySet());
      Map<String, Integer> was = new TreeMap<>(othersBefore);
      was.keySet().retainAll(kept.keySet());
      assertThat(kept).as("every other thread's nice, C1 among them").isEqualTo(was);
    }
  }

  /** The real command line in its own process, with the launcher's compiler flag and the defaults. */
  @Test
  @Order(3)
  void keelServe_byDefault_runsC2AtNice10_afterItsWarmUp_andC1AsItWas() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:-UseDynamicNumberOfCompilerThreads",
        "-cp", System.getProperty("java.class.path"), "dev.keel.cli.Main", "serve", "--ws-port", Integer.toString(port),
        "--tcp-port", "off", "--admin-port", "off", "--warmup", "1s"));
    File log = new File(System.getProperty("java.io.tmpdir"), "keel-compiler-nice-it.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    try {
      String pid = Long.toString(p.pid());
      // With -XX:-UseDynamicNumberOfCompilerThreads, as the launcher starts it, every C2 thread exists from the start.
      await().atMost(Duration.ofSeconds(30)).until(() -> !c2(nices(pid)).isEmpty());
      await().atMost(Duration.ofSeconds(60)).until(() -> accepts(port));
      Map<String, Integer> all = nices(pid);
      int own = Integer.parseInt(Files.readString(Path.of("/proc", pid, "stat")).substring(
          Files.readString(Path.of("/proc", pid, "stat")).lastIndexOf(')') + 2).trim().split(" ")[19 - 3]); // its main thread
      assertThat(c2(all).values()).as("the C2 threads of `keel serve` once its port is open: %s (log %s)", c2(all), log)
          .isNotEmpty().allMatch(n -> n == 10);
      assertThat(all.entrySet().stream().filter(e -> e.getKey().startsWith("C1 CompilerThre")).map(Map.Entry::getValue))
          .as("the C1 threads of `keel serve`: %s", all).isNotEmpty().allMatch(n -> n == own);
      assertThat(Files.readString(log.toPath())).as("nothing said about compiler-nice failing").doesNotContain("compiler-nice:");
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
