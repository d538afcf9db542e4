package dev.keel.load.report;

import dev.keel.load.measure.Latency;
import dev.keel.load.measure.Verdict;
import dev.keel.load.probe.MemorySample;
import dev.keel.load.scenario.Point;
import dev.keel.load.scenario.Settings;
import java.util.List;
import java.util.Map;

/**
 * Everything a finished run knows: what the JSON summary and the HTML report are made of.
 * {@code serverCloses} is the server's close counters over the run, by reason (null: it gave none).
 */
public record RunReport(
    String scenario,
    Settings settings,
    long startedAtMs,
    double seconds,
    String serverFigures,
    boolean gcAtBaseline,
    boolean gcAtEnd,
    MemorySample baseline,
    MemorySample end,
    Map<String, Object> results,
    long opened,
    long connectFailures,
    long ended,
    long sent,
    long delivered,
    long gaps,
    long serverCuts,
    Map<String, Long> endings,
    Latency.Snapshot latency,
    List<Point> points,
    Verdict verdict,
    String failure,
    int peakEstablished,
    int targetConnections,
    Map<String, Long> serverCloses) {

  /** 2 when the run failed, else the verdict's: 0 flat (or nothing to judge), 1 leak suspected. */
  public int exitCode() {
    if (failure != null) {
      return 2;
    }
    return verdict.result() == Verdict.Result.LEAK_SUSPECTED ? 1 : 0;
  }

  public String verdictText() {
    if (failure != null) {
      return "RUN FAILED: " + failure;
    }
    return switch (verdict.result()) {
      case FLAT -> "FLAT";
      case LEAK_SUSPECTED -> "LEAK SUSPECTED: " + String.join("; ", verdict.failures());
      case NO_DATA -> "NO VERDICT: no server figures";
    };
  }
}
