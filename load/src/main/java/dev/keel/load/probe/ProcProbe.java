package dev.keel.load.probe;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads VmRSS and Threads from {@code /proc/PID/status} and counts {@code /proc/PID/fd}: the
 * fallback when the server has no admin endpoint. No heap figures. A GC is requested with
 * {@code jcmd PID GC.run} when the server is a JVM this user may attach to (otherwise readings are
 * taken without one, and the report says so).
 */
final class ProcProbe implements ServerProbe {
  private static final long JCMD_TIMEOUT_SECONDS = 30;
  // Bounds the fd count loop: the process limit here is 20,000.
  private static final int MAX_FDS_COUNTED = 1_000_000;
  private final Path status;
  private final Path fds;
  private final long pid;
  private boolean gcHonoured;

  ProcProbe(long pid) {
    this.pid = pid;
    this.status = Path.of("/proc", Long.toString(pid), "status");
    this.fds = Path.of("/proc", Long.toString(pid), "fd");
  }

  @Override
  public String source() {
    return "proc";
  }

  @Override
  public MemorySample sample() {
    try {
      List<String> lines = Files.readAllLines(status);
      Long rss = null;
      Long threads = null;
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024; // the kernel writes kB
        } else if (line.startsWith("Threads:")) {
          threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return MemorySample.fromProc(System.currentTimeMillis(), rss, threads, countFds());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private Long countFds() {
    long n = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(fds)) {
      for (Path ignored : dir) {
        if (++n >= MAX_FDS_COUNTED) {
          break;
        }
      }
      return n;
    } catch (IOException e) {
      return null; // another user's process: fd is not readable
    }
  }

  @Override
  public MemorySample gcAndSample() {
    gcHonoured = jcmd("GC.run") != null;
    MemorySample s = sample();
    Long heap = gcHonoured ? heapUsed(jcmd("GC.heap_info")) : null;
    if (s == null || heap == null) {
      return s;
    }
    // Right after a full GC, heap used is the heap-after-GC figure.
    return new MemorySample(s.takenAtMs(), "proc+jcmd", heap, null, heap, null, null, s.rssBytes(), s.threads(),
        s.openFds(), null, null, null, null, null, null, null, null);
  }

  /**
   * Sums "used NK" over the heap lines of {@code jcmd GC.heap_info}: those with a "total" (one for G1,
   * one per generation otherwise); the space, region and Metaspace lines have none.
   */
  static Long heapUsed(String heapInfo) {
    if (heapInfo == null) {
      return null;
    }
    long kib = 0;
    boolean found = false;
    for (String line : heapInfo.split("\n")) {
      if (!line.contains("total")) {
        continue;
      }
      java.util.regex.Matcher m = USED.matcher(line);
      if (m.find()) {
        kib += Long.parseLong(m.group(1));
        found = true;
      }
    }
    return found ? kib * 1024 : null;
  }

  private static final java.util.regex.Pattern USED = java.util.regex.Pattern.compile("used (\\d+)K");

  @Override
  public boolean gcHonoured() {
    return gcHonoured;
  }

  /** Runs {@code jcmd PID command}; its output, or null when it failed or took too long. */
  private String jcmd(String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return null;
    }
    try {
      Path out = Files.createTempFile("keel-load-jcmd", ".txt");
      try {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(JCMD_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return null;
        }
        return p.exitValue() == 0 ? Files.readString(out) : null;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
