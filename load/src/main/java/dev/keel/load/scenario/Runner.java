package dev.keel.load.scenario;

import dev.keel.load.client.Clients;
import dev.keel.load.measure.Latency;
import dev.keel.load.measure.RunCheck;
import dev.keel.load.measure.Verdict;
import dev.keel.load.probe.MemorySample;
import dev.keel.load.probe.ServerProbe;
import dev.keel.load.report.HtmlReport;
import dev.keel.load.report.Progress;
import dev.keel.load.report.RunReport;
import dev.keel.load.report.Summary;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one scenario from baseline to verdict: reads the server (after a GC when it allows one),
 * samples it every interval while the scenario runs, closes every client, waits for the server to
 * count zero connections, reads it again after a GC, judges, and writes the JSON and HTML reports.
 *
 * <p>Usage: {@code int exit = new Runner(settings, System.out, System.err).run(new ChurnScenario(...));}
 */
public final class Runner {
  private final Settings settings;
  private final PrintStream out;
  private final PrintStream err;
  private volatile Run current;

  public Runner(Settings settings, PrintStream out, PrintStream err) {
    this.settings = settings;
    this.out = out;
    this.err = err;
  }

  /** The exit status: 0 flat, 1 leak suspected, 2 the run failed. */
  public int run(Scenario scenario) {
    // Ctrl-C / SIGTERM ends the scenario early; the clients still close and the report is still written.
    java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
    Thread hook = new Thread(() -> {
      Run r = current;
      if (r != null) {
        r.stopping = true;
        err.println("keel load: stopping early; closing clients and writing the report");
      }
      try {
        reported.await(settings.settle().toSeconds() + 60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "load-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return report(execute(scenario));
    } finally {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running and has just been released
      }
    }
  }

  private int report(RunReport report) {
    try {
      if (settings.jsonOut() != null) {
        Summary.write(report, settings.jsonOut());
        err.println("keel load: JSON summary in " + settings.jsonOut());
      }
      if (settings.htmlOut() != null) {
        HtmlReport.write(report, settings.htmlOut());
        err.println("keel load: HTML report in " + settings.htmlOut());
      }
    } catch (IOException e) {
      err.println("keel load: could not write the report: " + e.getMessage());
      return 2;
    }
    Summary.print(report, out);
    return report.exitCode();
  }

  /** Runs and judges; the report carries everything, including why a run failed. */
  public RunReport execute(Scenario scenario) {
    ServerProbe probe = ServerProbe.choose(settings.adminUrl(), settings.adminToken(), settings.serverPid(), err);
    MemorySample baseline = probe.gcAndSample();
    boolean gcAtBaseline = probe.gcHonoured();
    String failure = null;
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "load-sampler");
      t.setDaemon(true);
      return t;
    });
    Run run;
    Clients clients = new Clients(settings.target(), settings.ioThreads(), settings.sourceAddresses());
    run = new Run(settings, clients, probe, err);
    current = run;
    Progress progress = new Progress(err, settings.quiet());
    long periodMs = settings.sampleInterval().toMillis();
    sampler.scheduleAtFixedRate(() -> sample(run, progress), periodMs, periodMs, TimeUnit.MILLISECONDS);
    MemorySample end = null;
    boolean gcAtEnd = false;
    try {
      try {
        scenario.run(run);
      } catch (RunFailed e) {
        failure = e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = "interrupted";
      } catch (Exception e) {
        failure = e.toString();
      }
      run.stopping = true;
      try {
        run.closeAll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = failure == null ? "interrupted" : failure;
      }
    } finally {
      // The tool's own threads stop before the end reading: a server in this JVM (tests) would count them.
      sampler.shutdownNow();
      try {
        sampler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      progress.done();
      clients.close();
    }
    try {
      settle(probe);
      end = probe.gcAndSample();
      gcAtEnd = probe.gcHonoured();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = failure == null ? "interrupted" : failure;
    } finally {
      probe.close();
    }
    if (end != null) {
      run.serverSamples.add(end);
    }
    Verdict verdict = Verdict.judge(settings.thresholds(), baseline, end, List.copyOf(run.serverSamples),
        scenario.churns() ? run.ended.sum() : 0);
    Map<String, Long> serverCloses = RunCheck.delta(baseline == null ? null : baseline.closed(),
        end == null ? null : end.closed());
    String shortfall = RunCheck.shortfall(new RunCheck.Outcome(scenario.targetConnections(), run.peakEstablished(),
        run.opened.sum(), run.connectFailures.sum(), scenario.delivers(), run.delivered.sum()), serverCloses);
    if (shortfall != null) {
      // A run that did not do what it set out to proves nothing, however flat its memory is.
      failure = failure == null ? shortfall : failure + "; " + shortfall;
    }
    if (failure == null && verdict.result() == Verdict.Result.NO_DATA && scenario.needsVerdict()) {
      failure = "no server figures (no --admin-url answer and no --server-pid): no verdict possible";
    }
    Latency.Snapshot total = run.latency.total();
    Map<String, Long> endings = new LinkedHashMap<>();
    run.endings.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> endings.put(e.getKey(), e.getValue().sum()));
    Map<String, Object> results;
    synchronized (run.results) {
      results = new LinkedHashMap<>(run.results);
    }
    return new RunReport(scenario.name(), settings, run.startMs, run.elapsedSeconds(), probe.source(),
        gcAtBaseline, gcAtEnd, baseline, end, results, run.opened.sum(), run.connectFailures.sum(),
        run.ended.sum(), run.sent.sum(), run.delivered.sum(), run.gaps.sum(), run.serverCuts.sum(), endings,
        total, List.copyOf(run.points), verdict, failure, run.peakEstablished(), scenario.targetConnections(),
        serverCloses);
  }

  /** After the clients have gone: the server should count zero connections; wait for it, bounded. */
  private void settle(ServerProbe probe) throws InterruptedException {
    long deadline = System.nanoTime() + settings.settle().toNanos();
    while (System.nanoTime() < deadline) {
      MemorySample s = probe.sample();
      if (s == null || s.connections() == null || s.connections() == 0) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private void sample(Run run, Progress progress) {
    try {
      MemorySample s = run.probe.sample();
      if (s != null && run.serverSamples.size() < Run.MAX_POINTS) {
        run.serverSamples.add(s);
      }
      Point p = new Point(run.elapsedSeconds(), run.openCount(), run.sent.sum(), run.delivered.sum(),
          run.gaps.sum(), run.serverCuts.sum(), run.latency.interval(), s);
      if (run.points.size() < Run.MAX_POINTS) {
        run.points.add(p);
      }
      progress.update(p);
    } catch (RuntimeException e) {
      err.println("keel load: sampling failed: " + e);
    }
  }
}
