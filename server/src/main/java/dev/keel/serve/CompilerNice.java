package dev.keel.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the JIT's C2 compiler threads a lower CPU priority (a higher nice value) once the server is
 * warm, so that the event loops take the CPU first and C2 compiles in the time they leave.
 *
 * <p>Why: a load's connect burst queues hundreds of C2 compilations of the connect path (HTTP headers,
 * the handshake, pipeline changes). On a server with one core, or pinned to one, C2 then works through
 * them during the load's first second at an equal share of that core, and every message in that second
 * waits for half a core: that second set the broadcast p99 (docs/benchmarks.md, round 12). At a lower
 * priority, C2 runs when the loops idle. Only C2: C1's compiles are short, and the code it makes is what
 * the loops run until C2's arrives.
 *
 * <p>How: Linux keeps a nice value per thread, and {@code setpriority} on a thread id changes that
 * thread alone. The JDK has no call for it (the JVM's own {@code -XX:CompilerThreadPriority} needs
 * {@code -XX:ThreadPriorityPolicy=1}, which lowers C1 too, raises the GC threads as root, and warns
 * otherwise), so the server runs {@code renice} once on the C2 threads it finds in
 * {@code /proc/self/task}. Raising a nice value needs no privilege. Threads the JVM starts later are
 * not covered, which is why the launcher turns off {@code UseDynamicNumberOfCompilerThreads}: then
 * every compiler thread exists from the start. Where there is no {@code /proc} or no {@code renice},
 * it says so once and changes nothing.
 */
final class CompilerNice {
  private static final Logger log = LoggerFactory.getLogger(CompilerNice.class);
  /** HotSpot names them "C2 CompilerThread0", ...; Linux keeps 15 characters of a thread's name. */
  static final String C2_PREFIX = "C2 CompilerThre";
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final long RENICE_WAIT_MS = 5_000;

  private final int nice;
  private final AtomicBoolean applied = new AtomicBoolean();

  CompilerNice(int nice) {
    this.nice = nice;
  }

  /** Renices the C2 threads, the first time only; a no-op for {@code compiler-nice 0}. Never throws. */
  void apply() {
    if (nice == 0 || !applied.compareAndSet(false, true)) {
      return;
    }
    try {
      List<String> tids = c2Threads();
      if (tids.isEmpty()) {
        log.info("compiler-nice: no C2 compiler thread found in {}; left as is", TASKS);
        return;
      }
      List<String> cmd = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice), "-p"));
      cmd.addAll(tids);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(RENICE_WAIT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        log.info("compiler-nice: renice did not finish within {} ms; the C2 threads may keep their priority", RENICE_WAIT_MS);
      } else if (p.exitValue() != 0) {
        log.info("compiler-nice: renice exited with {}; the C2 threads keep their priority", p.exitValue());
      } else {
        log.debug("compiler-nice: C2 compiler threads {} at nice {}", tids, nice);
      }
    } catch (IOException e) {
      log.info("compiler-nice: cannot renice the C2 compiler threads ({}); left as is", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The ids of this process's C2 compiler threads, from {@code /proc/self/task/TID/comm}; empty without /proc. */
  static List<String> c2Threads() throws IOException {
    if (!Files.isDirectory(TASKS)) {
      return List.of();
    }
    List<String> tids = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).startsWith(C2_PREFIX)) {
            tids.add(task.getFileName().toString());
          }
        } catch (IOException gone) {
          // the thread ended between the listing and the read
        }
      }
    }
    return tids;
  }

}
