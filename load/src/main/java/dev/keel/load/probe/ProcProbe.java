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
    gcHonoured = jcmdGc();
    return sample();
  }

  @Override
  public boolean gcHonoured() {
    return gcHonoured;
  }

  private boolean jcmdGc() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(JCMD_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
