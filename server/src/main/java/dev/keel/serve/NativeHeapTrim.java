package dev.keel.serve;

import dev.keel.spi.Extension;
import dev.keel.spi.Host;
import dev.keel.spi.Readings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns the C heap's free memory to the OS (glibc's {@code malloc_trim}, through the JVM's
 * {@code System.trim_native_heap}) once a load has ended, so that RSS comes back down after a burst.
 *
 * <p>Why not the JVM's own {@code -XX:TrimNativeHeapInterval}: it trims on a clock, also in the middle
 * of a load, and one trim of a loaded server took about 60 ms of CPU; on a server that has one core
 * (or is pinned to one) that is 60 ms during which no event loop runs, and it set the broadcast p99
 * (docs/benchmarks.md, round 5). Trimming only when the load has dropped off ({@link QuietSpells})
 * keeps the memory promise without the stalls.
 *
 * <p>One daemon thread for the process, not per connection; the trim runs on it, never on a loop.
 */
final class NativeHeapTrim implements Extension {
  private static final Logger log = LoggerFactory.getLogger(NativeHeapTrim.class);
  private static final String DCMD = "com.sun.management:type=DiagnosticCommand";

  /** The confirming look, as a fraction of the interval. */
  private static final double LOOK = 0.1;

  private final Duration interval;
  private final QuietSpells spells = new QuietSpells();
  private final AtomicLong trims = new AtomicLong();
  private ScheduledExecutorService timer;
  private Readings readings;

  NativeHeapTrim(Duration interval) {
    this.interval = interval;
  }

  @Override
  public void start(Host host) {
    host.meters().counter("keel_native_heap_trims_total",
        "Times the C heap's free memory was returned to the OS after a load ended (native-heap-trim)", trims::get);
    if (interval.isZero()) {
      return;
    }
    readings = host.readings();
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "keel-native-trim");
      t.setDaemon(true);
      return t;
    });
    long ms = interval.toMillis();
    timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    if (spells.ended(activity())) {
      // A tick falls anywhere in a quiet spell, also just as a new load begins: look once more, a
      // tenth of an interval later, so that the trim does not land on the load's first messages.
      timer.schedule(() -> {
        if (spells.confirm(activity(), LOOK)) {
          trim();
        }
      }, Math.max(1, (long) (interval.toMillis() * LOOK)), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Messages published and delivered, connections opened, and connections closed (opened minus those
   * still open): a mass disconnect frees what its connections held, and is a load whose end is worth a
   * trim, even when nothing else happened since the last one.
   */
  private long activity() {
    long opened = readings.opened("ws") + readings.opened("tcp");
    long closed = opened - readings.connections("ws") - readings.connections("tcp");
    return readings.published() + readings.delivered() + opened + closed;
  }

  private void trim() {
    try {
      String text = trimNow();
      if (text == null) {
        log.info("native-heap-trim: this platform cannot trim the C heap; turned off");
        timer.shutdown();
        return;
      }
      trims.incrementAndGet();
      log.debug("native-heap-trim: {}", text);
    } catch (Exception | LinkageError e) {
      log.info("native-heap-trim: the JVM offers no System.trim_native_heap ({}); turned off", e.toString());
      timer.shutdown();
    }
  }

  /**
   * Trims the C heap now, on the calling thread (as {@code jcmd PID System.trim_native_heap} does).
   *
   * @return the JVM's answer (RSS before and after), or null where the platform cannot trim (no glibc)
   * @throws Exception when the JVM offers no such command
   */
  static String trimNow() throws Exception {
    Object answer = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(DCMD), "systemTrimNativeHeap",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    String text = String.valueOf(answer).trim();
    return text.contains("Not available") || text.contains("not available") ? null : text;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
