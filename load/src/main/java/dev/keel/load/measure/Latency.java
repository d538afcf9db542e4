package dev.keel.load.measure;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * End-to-end latency of delivered messages, in microseconds. Any event-loop thread records; one
 * sampler thread takes interval histograms (HdrHistogram's {@link Recorder}: recording never waits)
 * and folds them into the run's total.
 *
 * <p>Coordinated omission: publishers stamp each message with the time it was <em>due</em> by the
 * schedule, not the time it left, so a stalled publisher or server shows up as latency instead of
 * as missing samples.
 *
 * <p>Usage: {@code latency.recordNanos(System.nanoTime() - dueNanos)}; every second
 * {@code Snapshot s = latency.interval()}; at the end {@code latency.total()}.
 */
public final class Latency {
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private Histogram recycled;

  public void recordNanos(long nanos) {
    recorder.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  /** Percentiles of what was recorded since the last call (one thread calls this). */
  public synchronized Snapshot interval() {
    Histogram h = recorder.getIntervalHistogram(recycled);
    total.add(h);
    Snapshot s = Snapshot.of(h);
    recycled = h;
    return s;
  }

  /** Percentiles of everything recorded so far (takes the pending interval first). */
  public synchronized Snapshot total() {
    interval();
    return Snapshot.of(total);
  }

  /** Latency percentiles in milliseconds; all zero when nothing was recorded. */
  public record Snapshot(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {
    public static Snapshot of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Snapshot(0, 0, 0, 0, 0, 0);
      }
      return new Snapshot(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
          ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }
  }
}
