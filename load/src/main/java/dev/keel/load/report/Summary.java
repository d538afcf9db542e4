package dev.keel.load.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keel.load.measure.Bytes;
import dev.keel.load.measure.Thresholds;
import dev.keel.load.measure.Verdict;
import dev.keel.load.probe.MemorySample;
import dev.keel.load.scenario.Point;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The JSON summary of a run (one object: settings, client counters, latency, the scenario's figures,
 * server readings, verdict with its thresholds, and the time series), and its text form on stdout.
 *
 * <p>Usage: {@code Summary.write(report, Path.of("churn.json")); Summary.print(report, System.out);}
 */
public final class Summary {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Summary() {}

  public static void write(RunReport r, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), toMap(r));
  }

  public static String toJson(RunReport r) throws IOException {
    return JSON.writeValueAsString(toMap(r));
  }

  public static Map<String, Object> toMap(RunReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", r.scenario());
    m.put("startedAt", Instant.ofEpochMilli(r.startedAtMs()).toString());
    m.put("seconds", round(r.seconds()));
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("host", r.settings().target().address().getHostAddress());
    target.put("wsPort", r.settings().target().wsPort());
    target.put("tcpPort", r.settings().target().tcpPort());
    target.put("transport", r.settings().transport().name().toLowerCase());
    m.put("target", target);
    m.put("serverFigures", r.serverFigures());
    m.put("gcRequested", Map.of("baseline", r.gcAtBaseline(), "end", r.gcAtEnd()));
    Map<String, Object> clients = new LinkedHashMap<>();
    clients.put("opened", r.opened());
    clients.put("targetConnections", r.targetConnections());
    clients.put("peakEstablished", r.peakEstablished());
    clients.put("connectFailures", r.connectFailures());
    clients.put("ended", r.ended());
    clients.put("sent", r.sent());
    clients.put("delivered", r.delivered());
    clients.put("gaps", r.gaps());
    clients.put("serverCuts", r.serverCuts());
    clients.put("endings", r.endings());
    m.put("clients", clients);
    m.put("latencyMs", r.latency());
    m.put("results", r.results());
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("baseline", r.baseline());
    server.put("end", r.end());
    server.put("peak", peak(r.points()));
    server.put("closesDuringRun", r.serverCloses());
    m.put("server", server);
    m.put("verdict", verdict(r));
    m.put("exitCode", r.exitCode());
    m.put("failure", r.failure());
    List<Map<String, Object>> series = new ArrayList<>();
    for (Point p : r.points()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("t", round(p.tSeconds()));
      row.put("connections", p.clientConnections());
      row.put("sent", p.sent());
      row.put("delivered", p.delivered());
      row.put("gaps", p.gaps());
      row.put("serverCuts", p.serverCuts());
      row.put("p50Ms", p.latency().p50Ms());
      row.put("p99Ms", p.latency().p99Ms());
      row.put("maxMs", p.latency().maxMs());
      MemorySample s = p.server();
      if (s != null) {
        row.put("serverConnections", s.connections());
        row.put("heapUsedBytes", s.heapUsedBytes());
        row.put("heapAfterGcBytes", s.heapAfterGcBytes());
        row.put("directBytes", s.directForLeakCheck());
        row.put("rssBytes", s.rssBytes());
        row.put("threads", s.threads());
        row.put("openFds", s.openFds());
      }
      series.add(row);
    }
    m.put("timeSeries", series);
    return m;
  }

  static Map<String, Object> verdict(RunReport r) {
    Verdict v = r.verdict();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("result", r.failure() != null ? "RUN_FAILED" : v.result().name());
    m.put("text", r.verdictText());
    m.put("thresholds", thresholds(r.settings().thresholds(), r.end()));
    m.put("checks", v.checks());
    m.put("slope", v.slope());
    return m;
  }

  static Map<String, Object> thresholds(Thresholds t, MemorySample end) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("maxHeapGrowthBytes", t.maxHeapGrowthBytes());
    Thresholds.DirectLimit direct = t.directLimit(end);
    m.put("maxDirectGrowthBytes", direct.bytes());
    m.put("maxDirectGrowthBasis", direct.basis());
    m.put("maxThreadGrowth", t.maxThreadGrowth());
    m.put("maxFdGrowth", t.maxFdGrowth());
    m.put("maxConnectionsLeft", t.maxConnectionsLeft());
    m.put("maxSlopeBytesPerMinute", t.maxSlopeBytesPerMinute());
    m.put("maxSlopeBytesPer1000Lifetimes", t.maxSlopeBytesPer1000Lifetimes());
    m.put("minSlopeWindowSeconds", t.minSlopeWindowSeconds());
    m.put("warmupFraction", t.warmupFraction());
    return m;
  }

  static Map<String, Long> peak(List<Point> points) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("rssBytes", max(points, MemorySample::rssBytes));
    m.put("heapUsedBytes", max(points, MemorySample::heapUsedBytes));
    m.put("directBytes", max(points, MemorySample::directForLeakCheck));
    m.put("queuedBytes", max(points, MemorySample::queuedBytes));
    m.put("connections", max(points, MemorySample::connections));
    m.put("threads", max(points, MemorySample::threads));
    return m;
  }

  private static Long max(List<Point> points, Function<MemorySample, Long> f) {
    Long best = null;
    for (Point p : points) {
      Long v = p.server() == null ? null : f.apply(p.server());
      if (v != null && (best == null || v > best)) {
        best = v;
      }
    }
    return best;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The text summary: the scenario's figures, the checks with their limits, and the verdict last. */
  public static void print(RunReport r, PrintStream out) {
    out.printf("keel load %s: %.1f s, server figures from %s%n", r.scenario(), r.seconds(), r.serverFigures());
    out.printf("  clients: opened %d, connect failures %d, ended %d, sent %d, delivered %d, gaps %d, cut by server %d%n",
        r.opened(), r.connectFailures(), r.ended(), r.sent(), r.delivered(), r.gaps(), r.serverCuts());
    if (r.targetConnections() > 0) {
      out.printf("  established at once: at most %d (target %d)%n", r.peakEstablished(), r.targetConnections());
    }
    if (r.serverCloses() != null) {
      out.printf("  server's close counters over the run: %s%n", r.serverCloses());
    }
    if (r.latency().count() > 0) {
      out.printf("  latency (ms, corrected for coordinated omission): p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f (%d samples)%n",
          r.latency().p50Ms(), r.latency().p90Ms(), r.latency().p99Ms(), r.latency().p999Ms(), r.latency().maxMs(),
          r.latency().count());
    }
    r.results().forEach((k, v) -> out.printf("  %s: %s%n", k, v));
    if (!r.endings().isEmpty()) {
      out.printf("  endings: %s%n", r.endings());
    }
    Thresholds t = r.settings().thresholds();
    out.printf("  thresholds: heap after GC +%s, direct +%s, threads +%d, fds +%d, connections left %d, "
            + "slope %s/min or %s per 1,000 lifetimes (judged on runs of %.0f s or more, first %.0f%% left out)%n",
        Bytes.human(t.maxHeapGrowthBytes()), Bytes.human(t.directLimit(r.end()).bytes()), t.maxThreadGrowth(), t.maxFdGrowth(),
        t.maxConnectionsLeft(), Bytes.human(t.maxSlopeBytesPerMinute()), Bytes.human(t.maxSlopeBytesPer1000Lifetimes()),
        t.minSlopeWindowSeconds(), t.warmupFraction() * 100);
    for (Verdict.Check c : r.verdict().checks()) {
      out.printf("  %-4s %-26s %s%n", !c.judged() ? "-" : c.ok() ? "ok" : "LEAK", c.name(), describe(c));
    }
    out.printf("verdict: %s (exit %d)%n", r.verdictText(), r.exitCode());
  }

  private static String describe(Verdict.Check c) {
    if (c.baseline() == null && c.end() == null) {
      return c.note();
    }
    boolean bytes = c.unit().equals("bytes");
    String b = c.baseline() == null ? "-" : bytes ? Bytes.human(c.baseline()) : c.baseline().toString();
    String e = c.end() == null ? "-" : bytes ? Bytes.human(c.end()) : c.end().toString();
    return "baseline " + b + ", end " + e + ": " + c.note();
  }
}
