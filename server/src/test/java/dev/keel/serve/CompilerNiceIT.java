package dev.keel.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.testing.Ports;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * compiler-nice on the real command line, each case in its own {@code keel serve} process (started as
 * the launcher starts it, with {@code -XX:-UseDynamicNumberOfCompilerThreads}): once its port accepts,
 * its C2 compiler threads run at the configured nice value and every other thread as it was. In child
 * processes, so that this JVM's own compiler keeps its priority for the tests that follow. Linux only
 * (/proc, per-thread nice values).
 */
@EnabledOnOs(OS.LINUX)
class CompilerNiceIT {

  /** Thread name (as /proc has it) and id to nice value, for every thread of process {@code pid}. */
  private static Map<String, Integer> nices(long pid) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          out.put(name(t.resolve("stat")) + "#" + t.getFileName(), nice(t.resolve("stat")));
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return out;
  }

  private static String name(Path stat) throws IOException {
    String s = Files.readString(stat);
    return s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
  }

  /** Field 19 of a /proc stat file; the fields after the parenthesised name start at field 3. */
  private static int nice(Path stat) throws IOException {
    String s = Files.readString(stat);
    return Integer.parseInt(s.substring(s.lastIndexOf(')') + 2).trim().split(" ")[19 - 3]);
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

  /**
   * Starts {@code keel serve} with {@code flags} in a child JVM, waits until its WebSocket port accepts,
   * and checks that its C2 threads are at {@code expectedC2} and every other thread at its main
   * thread's value (which it inherited from this one).
   */
  private static void check(String name, int expectedC2, String... flags) throws Exception {
    int port = Ports.free();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:-UseDynamicNumberOfCompilerThreads",
        "-cp", System.getProperty("java.class.path"), "dev.keel.cli.Main", "serve", "--ws-port", Integer.toString(port),
        "--tcp-port", "off", "--admin-port", "off"));
    cmd.addAll(List.of(flags));
    File log = new File(System.getProperty("java.io.tmpdir"), "keel-compiler-nice-it-" + name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !Ports.refuses(port));
      Map<String, Integer> all = nices(p.pid());
      int main = nice(Path.of("/proc", Long.toString(p.pid()), "stat"));
      assertThat(c2(all).values()).as("the C2 threads of `keel serve %s` once its port accepts: %s (log %s)",
          String.join(" ", flags), c2(all), log).isNotEmpty().allMatch(n -> n == expectedC2);
      assertThat(others(all).values()).as("every other thread of `keel serve %s` (its main thread at %d): %s",
          String.join(" ", flags), main, others(all)).allMatch(n -> n == main);
      assertThat(all.keySet()).as("it has C1 threads, which are among the others").anyMatch(k -> k.startsWith("C1 CompilerThre"));
      assertThat(Files.readString(log.toPath())).as("nothing said about compiler-nice failing (log %s)", log)
          .doesNotContain("compiler-nice:");
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  @Test
  void byDefault_afterTheWarmUp_C2RunsAtNice10_andEveryOtherThreadAsItWas() throws Exception {
    check("default", 10, "--warmup", "1s");
  }

  @Test
  void withoutAWarmUp_theConfiguredValue_isSetBeforeThePortsOpen() throws Exception {
    check("nowarmup", 5, "--warmup", "0s", "--compiler-nice", "5");
  }

  @Test
  void zero_leavesC2AsTheJvmMadeIt() throws Exception {
    check("zero", nice(Path.of("/proc/thread-self/stat")), "--warmup", "0s", "--compiler-nice", "0");
  }

}
