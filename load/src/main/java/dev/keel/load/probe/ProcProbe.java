package dev.keel.load.probe;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads VmRSS and Threads from {@code /proc/PID/status} and counts {@code /proc/PID/fd}: the
 * fallback when the server has no admin endpoint. No heap figures, and no way to request a GC.
 */
final class ProcProbe implements ServerProbe {
  // Bounds the fd count loop: the process limit here is 20,000.
  private static final int MAX_FDS_COUNTED = 1_000_000;
  private final Path status;
  private final Path fds;

  ProcProbe(long pid) {
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
    return sample();
  }

  @Override
  public boolean gcHonoured() {
    return false;
  }
}
