package dev.keel.load.report;

import dev.keel.load.measure.Bytes;
import dev.keel.load.measure.Verdict;
import dev.keel.load.probe.MemorySample;
import dev.keel.load.scenario.Point;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The self-contained HTML report: the verdict first, then memory, connections, latency and
 * deliveries over time as inline SVG, then every figure in tables. No scripts, no fetches.
 *
 * <p>Usage: {@code HtmlReport.write(report, Path.of("churn.html"))}.
 */
public final class HtmlReport {
  private static final String CSS = """
      body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:940px;color:#222}
      h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
      .v{padding:12px 16px;border-radius:6px;font-weight:600;font-size:16px;margin:14px 0}
      .flat{background:#e3f4e3;border:1px solid #5a5} .leak{background:#fbe4e4;border:1px solid #c55}
      .failed{background:#fff1d6;border:1px solid #d93} .nodata{background:#eee;border:1px solid #999}
      table{border-collapse:collapse;margin:6px 0 12px} td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
      th{background:#f4f4f4} td.n{text-align:right;font-variant-numeric:tabular-nums}
      td table{font-size:12px;margin:0} td table td,td table th{padding:1px 5px}
      .ok{color:#272} .bad{color:#b22;font-weight:600} .muted{color:#777}
      svg{display:block;margin:8px 0} svg .t{font-weight:600;font-size:13px} svg .g{stroke:#e6e6e6}
      svg .a{stroke:#888} svg .yl{font-size:11px;text-anchor:end;fill:#555} svg .xl{font-size:11px;text-anchor:middle;fill:#555}
      svg .lg{font-size:12px} svg .na{font-size:13px;fill:#999;text-anchor:middle}
      """;

  private HtmlReport() {}

  public static void write(RunReport r, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(r), StandardCharsets.UTF_8);
  }

  public static String render(RunReport r) {
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>keel load ")
        .append(Html.escape(r.scenario())).append("</title><style>").append(CSS).append("</style></head><body>");
    b.append("<h1>keel load ").append(Html.escape(r.scenario())).append("</h1>");
    b.append("<div class=\"muted\">").append(Html.escape(Instant.ofEpochMilli(r.startedAtMs()))).append(", ")
        .append(String.format("%.1f s", r.seconds())).append(", ").append(r.settings().transport().name().toLowerCase())
        .append(" to ").append(Html.escape(r.settings().target().address().getHostAddress())).append(", server figures from ")
        .append(Html.escape(r.serverFigures())).append(r.gcAtEnd() ? " (GC requested at baseline and end)" : " (no GC requested)")
        .append("</div>");
    String cls = r.failure() != null ? "failed" : switch (r.verdict().result()) {
      case FLAT -> "flat";
      case LEAK_SUSPECTED -> "leak";
      case NO_DATA -> "nodata";
    };
    b.append("<div class=\"v ").append(cls).append("\">Verdict: ").append(Html.escape(r.verdictText()))
        .append(" (exit ").append(r.exitCode()).append(")</div>");
    checks(b, r);
    charts(b, r);
    b.append("<h2>Scenario figures</h2><table>");
    for (Map.Entry<String, Object> e : r.results().entrySet()) {
      b.append("<tr><th>").append(Html.escape(e.getKey())).append("</th><td>").append(value(e.getValue()))
          .append("</td></tr>");
    }
    if (r.targetConnections() > 0) {
      b.append(row("established at once (target)", r.peakEstablished() + " (" + r.targetConnections() + ")"));
    }
    b.append(row("connections opened", r.opened())).append(row("connect failures", r.connectFailures()))
        .append(row("connections ended", r.ended())).append(row("messages sent", r.sent()))
        .append(row("messages delivered", r.delivered())).append(row("seq gaps (missed messages)", r.gaps()))
        .append(row("cut off by the server (slow consumer)", r.serverCuts()));
    b.append(String.format("<tr><th>latency (ms)</th><td>p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f (%d samples)</td></tr>",
        r.latency().p50Ms(), r.latency().p90Ms(), r.latency().p99Ms(), r.latency().p999Ms(), r.latency().maxMs(),
        r.latency().count()));
    b.append("</table>");
    if (!r.endings().isEmpty()) {
      b.append("<h2>How connections ended</h2><table>");
      r.endings().forEach((k, v) -> b.append(row(k, v)));
      b.append("</table>");
    }
    if (r.serverCloses() != null) {
      b.append("<h2>Server's close counters over the run</h2><table>");
      if (r.serverCloses().isEmpty()) {
        b.append(row("(none)", 0));
      }
      r.serverCloses().forEach((k, v) -> b.append(row(k, v)));
      b.append("</table>");
    }
    b.append("<h2>Server readings</h2><table><tr><th></th><th>baseline</th><th>end</th></tr>");
    sampleRows(b, r.baseline(), r.end());
    b.append("</table></body></html>\n");
    return b.toString();
  }

  private static void checks(StringBuilder b, RunReport r) {
    b.append("<table><tr><th>figure</th><th>baseline</th><th>end</th><th>result</th></tr>");
    for (Verdict.Check c : r.verdict().checks()) {
      boolean bytes = c.unit().equals("bytes");
      b.append("<tr><td>").append(Html.escape(c.name())).append("</td><td class=\"n\">")
          .append(c.baseline() == null ? "-" : bytes ? Bytes.human(c.baseline()) : c.baseline())
          .append("</td><td class=\"n\">").append(c.end() == null ? "-" : bytes ? Bytes.human(c.end()) : c.end())
          .append("</td><td class=\"").append(!c.judged() ? "muted" : c.ok() ? "ok" : "bad").append("\">")
          .append(!c.judged() ? "" : c.ok() ? "ok: " : "LEAK: ").append(Html.escape(c.note())).append("</td></tr>");
    }
    b.append("</table>");
    var t = r.settings().thresholds();
    b.append("<div class=\"muted\">Thresholds: heap after GC +").append(Bytes.human(t.maxHeapGrowthBytes()))
        .append(", direct +").append(Bytes.human(t.directLimit(r.end()).bytes())).append(" (")
        .append(Html.escape(t.directLimit(r.end()).basis())).append("), threads +").append(t.maxThreadGrowth())
        .append(", fds +").append(t.maxFdGrowth()).append(", connections left ").append(t.maxConnectionsLeft())
        .append(", slope ").append(Bytes.human(t.maxSlopeBytesPerMinute())).append("/min, ")
        .append(Bytes.human(t.maxSlopeBytesPer1000Lifetimes())).append(" per 1,000 lifetimes (judged on runs of ")
        .append(String.format("%.0f", t.minSlopeWindowSeconds())).append(" s or more, first ")
        .append(String.format("%.0f", t.warmupFraction() * 100)).append("% left out)</div>");
  }

  private static void charts(StringBuilder b, RunReport r) {
    List<Point> ps = r.points();
    double[] xs = ps.stream().mapToDouble(Point::tSeconds).toArray();
    b.append("<h2>Over time</h2>");
    b.append(Svg.chart("Server memory", Svg.Unit.BYTES, List.of(
        series("heap after GC", "#1f77b4", ps, xs, server(MemorySample::heapAfterGcBytes)),
        series("heap used", "#aec7e8", ps, xs, server(MemorySample::heapUsedBytes)),
        series("direct", "#ff7f0e", ps, xs, server(MemorySample::directForLeakCheck)),
        series("RSS", "#2ca02c", ps, xs, server(MemorySample::rssBytes)))));
    b.append(Svg.chart("Connections", Svg.Unit.COUNT, List.of(
        series("client open", "#1f77b4", ps, xs, p -> (double) p.clientConnections()),
        series("server count", "#d62728", ps, xs, server(MemorySample::connections)))));
    b.append(Svg.chart("Latency of fast subscribers, per interval", Svg.Unit.MS, List.of(
        series("p50", "#2ca02c", ps, xs, p -> p.latency().count() == 0 ? null : p.latency().p50Ms()),
        series("p99", "#ff7f0e", ps, xs, p -> p.latency().count() == 0 ? null : p.latency().p99Ms()),
        series("max", "#d62728", ps, xs, p -> p.latency().count() == 0 ? null : p.latency().maxMs()))));
    b.append(Svg.chart("Deliveries per second", Svg.Unit.PER_SECOND, List.of(
        rate("delivered", "#1f77b4", ps, xs, Point::delivered),
        rate("sent", "#9467bd", ps, xs, Point::sent))));
    b.append(Svg.chart("Drops per second", Svg.Unit.PER_SECOND, List.of(
        rate("seq gaps", "#d62728", ps, xs, Point::gaps),
        rate("cut off by server", "#8c564b", ps, xs, Point::serverCuts))));
  }

  private static Function<Point, Double> server(Function<MemorySample, Long> f) {
    return p -> {
      Long v = p.server() == null ? null : f.apply(p.server());
      return v == null ? null : v.doubleValue();
    };
  }

  private static Svg.Series series(String name, String color, List<Point> ps, double[] xs, Function<Point, Double> f) {
    Double[] ys = new Double[ps.size()];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = f.apply(ps.get(i));
    }
    return new Svg.Series(name, color, xs, ys);
  }

  private static Svg.Series rate(String name, String color, List<Point> ps, double[] xs, Function<Point, Long> total) {
    Double[] ys = new Double[ps.size()];
    for (int i = 0; i < ys.length; i++) {
      double prevT = i == 0 ? 0 : ps.get(i - 1).tSeconds();
      long prev = i == 0 ? 0 : total.apply(ps.get(i - 1));
      double dt = ps.get(i).tSeconds() - prevT;
      ys[i] = dt <= 0 ? null : (total.apply(ps.get(i)) - prev) / dt;
    }
    return new Svg.Series(name, color, xs, ys);
  }

  /** A scenario figure: a list of records (ramp steps, abuse probes) as a table, a map as lines. */
  static String value(Object v) {
    if (v instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> first) {
      StringBuilder t = new StringBuilder("<table><tr>");
      for (Object k : first.keySet()) {
        t.append("<th>").append(Html.escape(k)).append("</th>");
      }
      t.append("</tr>");
      for (Object o : list) {
        t.append("<tr>");
        for (Object k : first.keySet()) {
          Object cell = o instanceof Map<?, ?> m ? m.get(k) : null;
          t.append("<td>").append(cell == null ? "" : Html.escape(cell)).append("</td>");
        }
        t.append("</tr>");
      }
      return t.append("</table>").toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder t = new StringBuilder();
      m.forEach((k, x) -> t.append(Html.escape(k)).append(": ").append(Html.escape(x)).append("<br>"));
      return t.toString();
    }
    return Html.escape(v);
  }

  private static String row(String k, Object v) {
    return "<tr><th>" + Html.escape(k) + "</th><td>" + Html.escape(v) + "</td></tr>";
  }

  private static void sampleRows(StringBuilder b, MemorySample base, MemorySample end) {
    String[] names = {"heap used", "heap after GC", "direct", "RSS", "threads", "open fds", "connections", "topics",
        "subscriptions", "queued bytes"};
    List<Function<MemorySample, Long>> fs = List.of(MemorySample::heapUsedBytes, MemorySample::heapAfterGcBytes,
        MemorySample::directForLeakCheck, MemorySample::rssBytes, MemorySample::threads, MemorySample::openFds,
        MemorySample::connections, MemorySample::topics, MemorySample::subscriptions, MemorySample::queuedBytes);
    for (int i = 0; i < names.length; i++) {
      boolean bytes = names[i].contains("heap") || names[i].equals("direct") || names[i].equals("RSS")
          || names[i].equals("queued bytes");
      b.append("<tr><th>").append(names[i]).append("</th><td class=\"n\">").append(fmt(base, fs.get(i), bytes))
          .append("</td><td class=\"n\">").append(fmt(end, fs.get(i), bytes)).append("</td></tr>");
    }
  }

  private static String fmt(MemorySample s, Function<MemorySample, Long> f, boolean bytes) {
    Long v = s == null ? null : f.apply(s);
    return v == null ? "-" : bytes ? Bytes.human(v) : v.toString();
  }
}
