package dev.keel.load.report;

import dev.keel.load.measure.Bytes;
import dev.keel.load.scenario.Point;
import java.io.PrintStream;

/**
 * The live progress line: connections, sent, delivered (and per second), p99 of the last interval,
 * server heap. Rewritten in place on a terminal; one line every 5 s otherwise (logs, CI).
 */
public final class Progress {
  private static final double PLAIN_EVERY_SECONDS = 5;
  private final PrintStream err;
  private final boolean quiet;
  private final boolean terminal = System.console() != null;
  private Point last;
  private double lastPrinted = -PLAIN_EVERY_SECONDS;
  private boolean dirty;

  public Progress(PrintStream err, boolean quiet) {
    this.err = err;
    this.quiet = quiet;
  }

  public synchronized void update(Point p) {
    double dt = last == null ? p.tSeconds() : p.tSeconds() - last.tSeconds();
    long deliveredPerSecond = last == null || dt <= 0 ? 0 : (long) ((p.delivered() - last.delivered()) / dt);
    last = p;
    if (quiet) {
      return;
    }
    String heap = p.server() == null ? "-"
        : p.server().heapUsedBytes() != null ? Bytes.human(p.server().heapUsedBytes())
        : p.server().rssBytes() != null ? "rss " + Bytes.human(p.server().rssBytes()) : "-";
    String line = String.format("[%5.0fs] conns %d | sent %d | delivered %d (%d/s) | gaps %d | p99 %.1f ms | server heap %s%s",
        p.tSeconds(), p.clientConnections(), p.sent(), p.delivered(), deliveredPerSecond, p.gaps(),
        p.latency().p99Ms(), heap,
        p.server() != null && p.server().connections() != null ? " conns " + p.server().connections() : "");
    if (terminal) {
      err.print("\r" + line + "\u001b[K");
      dirty = true;
    } else if (p.tSeconds() - lastPrinted >= PLAIN_EVERY_SECONDS) {
      err.println(line);
      lastPrinted = p.tSeconds();
    }
  }

  public synchronized void done() {
    if (dirty) {
      err.println();
      dirty = false;
    }
  }
}
