package dev.keel.load.probe;

import java.io.PrintStream;
import java.net.URI;

/**
 * Where the server's memory figures come from: its admin endpoint ({@code GET /debug/memory}), or
 * {@code /proc/PID} when only the process id is known, or nowhere.
 *
 * <p>Usage: {@code ServerProbe p = ServerProbe.choose(adminUrl, token, pid, err); p.gcAndSample()}.
 */
public interface ServerProbe extends AutoCloseable {

  /** "admin", "proc" or "none". */
  String source();

  /** A reading now, or null when there is no source or it failed (the caller counts failures). */
  MemorySample sample();

  /**
   * Asks the server for a full GC and reads after it ({@code POST /debug/gc}); when the server refuses
   * or cannot, just a reading. {@link #gcHonoured()} says which.
   */
  MemorySample gcAndSample();

  /** Whether the last {@link #gcAndSample()} really ran a GC on the server. */
  boolean gcHonoured();

  @Override
  default void close() {}

  /** The admin endpoint when it answers; else /proc when a pid is given; else none. Says which on err. */
  static ServerProbe choose(URI adminUrl, String token, Long pid, PrintStream err) {
    if (adminUrl != null) {
      AdminProbe admin = new AdminProbe(adminUrl, token);
      if (admin.sample() != null) {
        err.println("keel load: server figures from " + adminUrl + "/debug/memory");
        return admin;
      }
      err.println("keel load: no answer from " + adminUrl + "/debug/memory"
          + (pid != null ? "; using /proc/" + pid : "; no --server-pid either: no server figures"));
    }
    if (pid != null) {
      return new ProcProbe(pid);
    }
    return NONE;
  }

  ServerProbe NONE = new ServerProbe() {
    @Override
    public String source() {
      return "none";
    }

    @Override
    public MemorySample sample() {
      return null;
    }

    @Override
    public MemorySample gcAndSample() {
      return null;
    }

    @Override
    public boolean gcHonoured() {
      return false;
    }
  };
}
