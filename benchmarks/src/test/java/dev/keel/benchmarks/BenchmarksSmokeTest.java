package dev.keel.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.LeakReportExtension;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark once, in this JVM, with tiny settings: proof that each still sets up, runs,
 * tears down (each teardown checks that it measured what it claims and that its fixture left nothing
 * queued) and leaks no buffer. No timing is asserted: the scores of a 100 ms run on a shared machine
 * mean nothing; the lead measures with the jar (docs/benchmarks.md).
 */
class BenchmarksSmokeTest {
  /** Benchmark method to the number of parameter combinations it declares. */
  private static final Map<String, Integer> EXPECTED = Map.of(
      "dev.keel.session.EncodeBenchmark.dataFrame", 6,
      "dev.keel.fanout.FanOutBenchmark.deliverAndDrain", 3,
      "dev.keel.session.DrainBenchmark.offerAndDrain", 2,
      "dev.keel.session.ConflateBenchmark.offerConflating", 2);

  @Test
  void everyBenchmark_oneTinyRun_runsAndScoresFinite() throws RunnerException {
    Options options = new OptionsBuilder()
        .include("dev\\.keel\\..*Benchmark\\.")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();

    Collection<RunResult> results = new Runner(options).run();

    Map<String, Integer> runs = new TreeMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      double score = r.getPrimaryResult().getScore();
      assertThat(Double.isFinite(score) && score > 0)
          .as("%s %s scored %s", name, r.getParams(), score)
          .isTrue();
      runs.merge(name, 1, Integer::sum);
    }
    assertThat(runs).as("benchmarks run, with their parameter combinations").isEqualTo(new TreeMap<>(EXPECTED));
    // The benchmarks ran in this JVM under paranoid leak detection: any buffer they dropped unreleased is reported here.
    LeakReportExtension.check("the JMH smoke run");
  }
}
