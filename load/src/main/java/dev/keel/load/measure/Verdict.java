package dev.keel.load.measure;

import dev.keel.load.probe.MemorySample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The leak verdict: end-of-run figures against the baseline, and the growth slope over the run.
 *
 * <p>Usage: {@code Verdict v = Verdict.judge(thresholds, baseline, end, samples, lifetimes);
 * System.exit(v.exitCode())}.
 */
public record Verdict(Result result, List<Check> checks, Slope slope) {

  public enum Result {
    /** Every judged figure is back within its tolerance and the slope is under its threshold. */
    FLAT(0),
    /** At least one judged figure is over its tolerance. */
    LEAK_SUSPECTED(1),
    /** No server figures at all: nothing to judge. */
    NO_DATA(2);

    public final int exitCode;

    Result(int exitCode) {
      this.exitCode = exitCode;
    }
  }

  /** One figure: its baseline and end values, the allowed growth, and whether it was judged and held. */
  public record Check(String name, String unit, Long baseline, Long end, Double delta, Double limit,
                      boolean judged, boolean ok, String note) {}

  /** The fitted growth of {@code series} ("heap after GC" or "RSS"), and per 1,000 lifetimes. */
  public record Slope(String series, double bytesPerMinute, Double bytesPer1000Lifetimes, double r2,
                      int points, double windowSeconds, boolean judged) {}

  public int exitCode() {
    return result.exitCode;
  }

  /** The failed checks as text: "heap after GC grew 40.0 MiB (limit 16.0 MiB)". */
  public List<String> failures() {
    List<String> out = new ArrayList<>();
    for (Check c : checks) {
      if (c.judged() && !c.ok()) {
        out.add(c.name() + " " + c.note());
      }
    }
    return out;
  }

  /**
   * Judges a run. {@code samples} are the readings taken during it, in order; {@code lifetimes} is how
   * many connections lived and ended (0 when the scenario does not churn).
   */
  public static Verdict judge(Thresholds t, MemorySample baseline, MemorySample end, List<MemorySample> samples,
                              long lifetimes) {
    List<Check> checks = new ArrayList<>();
    if (baseline == null || end == null) {
      return new Verdict(Result.NO_DATA, checks, null);
    }
    checks.add(growth("heap after GC", "bytes", baseline, end, MemorySample::heapForLeakCheck, t.maxHeapGrowthBytes()));
    Thresholds.DirectLimit direct = t.directLimit(end);
    checks.add(withBasis(growth("direct memory", "bytes", baseline, end, MemorySample::directForLeakCheck,
        direct.bytes()), direct.basis()));
    checks.add(growth("threads", "threads", baseline, end, MemorySample::threads, t.maxThreadGrowth()));
    checks.add(growth("open fds", "fds", baseline, end, MemorySample::openFds, t.maxFdGrowth()));
    checks.add(level("connections still counted", end.connections(), t.maxConnectionsLeft()));
    checks.add(report("RSS", baseline.rssBytes(), end.rssBytes()));

    Slope slope = slope(t, samples, lifetimes);
    if (slope != null) {
      boolean perMinuteOk = slope.bytesPerMinute() <= t.maxSlopeBytesPerMinute();
      // A churn run is judged per 1,000 lifetimes: a busy run legitimately moves more bytes per minute.
      boolean ok = slope.bytesPer1000Lifetimes() != null
          ? slope.bytesPer1000Lifetimes() <= t.maxSlopeBytesPer1000Lifetimes()
          : perMinuteOk;
      String note = slope.judged()
          ? String.format("%s per minute, %s per 1,000 lifetimes (limit %s per minute, %s per 1,000 lifetimes)",
              Bytes.human(slope.bytesPerMinute()),
              slope.bytesPer1000Lifetimes() == null ? "-" : Bytes.human(slope.bytesPer1000Lifetimes()),
              Bytes.human(t.maxSlopeBytesPerMinute()), Bytes.human(t.maxSlopeBytesPer1000Lifetimes()))
          : String.format("not judged: fitted over %.0f s, under the %.0f s needed", slope.windowSeconds(),
              t.minSlopeWindowSeconds());
      checks.add(new Check(slope.series() + " slope", "bytes/min", null, null, slope.bytesPerMinute(),
          t.maxSlopeBytesPerMinute(), slope.judged(), !slope.judged() || ok, note));
    }
    boolean anyJudged = checks.stream().anyMatch(Check::judged);
    boolean leak = checks.stream().anyMatch(c -> c.judged() && !c.ok());
    Result result = !anyJudged ? Result.NO_DATA : leak ? Result.LEAK_SUSPECTED : Result.FLAT;
    return new Verdict(result, checks, slope);
  }

  static Slope slope(Thresholds t, List<MemorySample> samples, long lifetimes) {
    // Fit the heap when most readings have it; /proc readings have a heap figure only after a GC.
    long withHeap = samples.stream().filter(s -> s.heapForLeakCheck() != null).count();
    boolean heap = withHeap * 2 > samples.size();
    Function<MemorySample, Long> f = heap ? MemorySample::heapForLeakCheck : MemorySample::rssBytes;
    List<MemorySample> usable = samples.stream().filter(s -> f.apply(s) != null).toList();
    if (usable.size() < 2) {
      return null;
    }
    long t0 = usable.get(0).takenAtMs();
    long t1 = usable.get(usable.size() - 1).takenAtMs();
    long from = t0 + (long) ((t1 - t0) * t.warmupFraction());
    List<MemorySample> window = usable.stream().filter(s -> s.takenAtMs() >= from).toList();
    double[] xs = new double[window.size()];
    double[] ys = new double[window.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (window.get(i).takenAtMs() - t0) / 1000.0;
      ys[i] = f.apply(window.get(i));
    }
    LinearFit fit = LinearFit.of(xs, ys);
    double windowSeconds = xs.length < 2 ? 0 : xs[xs.length - 1] - xs[0];
    double perMinute = fit.slope() * 60;
    Double per1000 = null;
    if (lifetimes > 0 && t1 > t0) {
      // Lifetimes are spread evenly enough over a churn run: scale the total to the fitted window.
      double lifetimesPerSecond = lifetimes / ((t1 - t0) / 1000.0);
      per1000 = fit.slope() / lifetimesPerSecond * 1000;
    }
    return new Slope(heap ? "heap after GC" : "RSS", perMinute, per1000, fit.r2(), fit.points(), windowSeconds,
        windowSeconds >= t.minSlopeWindowSeconds());
  }

  private static Check growth(String name, String unit, MemorySample base, MemorySample end,
                              Function<MemorySample, Long> f, long limit) {
    Long b = f.apply(base);
    Long e = f.apply(end);
    if (b == null || e == null) {
      return new Check(name, unit, b, e, null, (double) limit, false, true, "not available from this server");
    }
    double delta = e - b;
    boolean ok = delta <= limit;
    String note = unit.equals("bytes")
        ? String.format("%s %s (limit %s)", delta >= 0 ? "grew" : "shrank", Bytes.human(Math.abs(delta)), Bytes.human(limit))
        : String.format("%s %d (limit %d)", delta >= 0 ? "grew" : "shrank", (long) Math.abs(delta), limit);
    return new Check(name, unit, b, e, delta, (double) limit, true, ok, note);
  }

  /** The check, its note saying where the limit came from. */
  private static Check withBasis(Check c, String basis) {
    if (!c.judged()) {
      return c;
    }
    String note = c.note().endsWith(")") ? c.note().substring(0, c.note().length() - 1) + ": " + basis + ")" : c.note();
    return new Check(c.name(), c.unit(), c.baseline(), c.end(), c.delta(), c.limit(), c.judged(), c.ok(), note);
  }

  private static Check level(String name, Long end, long limit) {
    if (end == null) {
      return new Check(name, "connections", null, null, null, (double) limit, false, true,
          "not available from this server");
    }
    return new Check(name, "connections", null, end, (double) end, (double) limit, true, end <= limit,
        String.format("%d (limit %d)", end, limit));
  }

  private static Check report(String name, Long base, Long end) {
    Double delta = base == null || end == null ? null : (double) (end - base);
    return new Check(name, "bytes", base, end, delta, null, false, true,
        "reported, not judged: the heap and allocator pools keep memory they grew into");
  }
}
