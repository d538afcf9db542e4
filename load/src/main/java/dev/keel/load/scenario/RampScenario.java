package dev.keel.load.scenario;

import dev.keel.load.measure.Latency;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ramp}: raises the publish rate step by step (×{@code factor}) until the fast subscribers' p99
 * passes the limit or a message is lost, and reports the highest rate that held. Each step publishes
 * for {@code stepSeconds}, then waits for the fast subscribers to catch up before judging it.
 */
public final class RampScenario implements Scenario {
  /**
   * @param startRate messages per second of the first step (all publishers together)
   * @param perPublisherRate the most one publisher sends per second (stay under the server's --rate-limit)
   */
  public record Params(int fast, int stalled, int stalledReceiveBuffer, int size, double startRate, double factor,
                       double maxRate, int maxSteps, double stepSeconds, double p99LimitMs, double perPublisherRate,
                       long drainTimeoutMs, long warmupMs) {}

  private final Params p;

  public RampScenario(Params p) {
    this.p = p;
  }

  @Override
  public String name() {
    return "ramp";
  }
  @Override
  public int targetConnections() {
    return p.fast() + p.stalled();
  }

  @Override
  public boolean delivers() {
    return p.fast() > 0;
  }


  @Override
  public void run(Run run) throws Exception {
    BroadcastScenario.Audience a = BroadcastScenario.Audience.open(run, p.fast(), p.stalled(), 0, 0,
        p.stalledReceiveBuffer(), BroadcastScenario.TOPIC);
    List<Publisher> pubs = new ArrayList<>(BroadcastScenario.publishers(run,
        (int) Math.ceil(p.startRate() / p.perPublisherRate()), BroadcastScenario.TOPIC, p.size()));
    BroadcastScenario.warmUp(run, a, pubs, p.startRate(), p.warmupMs(), p.drainTimeoutMs());
    List<Map<String, Object>> steps = new ArrayList<>();
    run.results.put("steps", steps);
    double rate = p.startRate();
    Map<String, Object> held = null;
    long deadline = System.nanoTime() + run.settings.duration().toNanos();
    String stop = "max steps";
    for (int step = 0; step < p.maxSteps() && rate <= p.maxRate(); step++) {
      if (System.nanoTime() > deadline || run.stopping()) {
        stop = run.stopping() ? "stopped early" : "duration";
        break;
      }
      int needed = (int) Math.ceil(rate / p.perPublisherRate());
      if (needed > pubs.size()) {
        pubs.addAll(BroadcastScenario.publishers(run, needed - pubs.size(), BroadcastScenario.TOPIC, p.size()));
      }
      long publishedBefore = pubs.stream().mapToLong(Publisher::total).sum();
      long receivedBefore = a.fastReceived();
      long gapsBefore = run.gaps.sum();
      Latency stepLatency = new Latency();
      run.stepLatency = stepLatency;
      long t0 = System.nanoTime();
      for (Publisher pub : pubs) {
        pub.start(rate / pubs.size());
      }
      run.sleepUntil(t0 + (long) (p.stepSeconds() * 1e9));
      for (Publisher pub : pubs) {
        pub.stop();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long published = pubs.stream().mapToLong(Publisher::total).sum() - publishedBefore;
      long expected = published * a.fast.size();
      Run.await(() -> a.fastReceived() - receivedBefore >= expected, p.drainTimeoutMs());
      run.stepLatency = null;
      long got = a.fastReceived() - receivedBefore;
      long gaps = run.gaps.sum() - gapsBefore;
      long lostConnections = a.fast.size() - a.fastAlive();
      Latency.Snapshot lat = stepLatency.total();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("rate", Math.round(rate));
      s.put("published", published);
      s.put("deliveriesPerSecond", Math.round(got / seconds));
      s.put("expected", expected);
      s.put("delivered", got);
      s.put("gaps", gaps);
      s.put("p50Ms", lat.p50Ms());
      s.put("p99Ms", lat.p99Ms());
      s.put("maxMs", lat.maxMs());
      s.put("publishersFellBehind", pubs.stream().filter(Publisher::fellBehind).count());
      steps.add(s);
      run.err.printf("%nramp step %d: %.0f msg/s -> %d deliveries/s, p99 %.1f ms, delivered %d of %d%n",
          step + 1, rate, Math.round(got / seconds), lat.p99Ms(), got, expected);
      if (got < expected || gaps > 0 || lostConnections > 0) {
        stop = "loss at " + Math.round(rate) + " msg/s (delivered " + got + " of " + expected + ", gaps " + gaps
            + ", fast subscribers lost " + lostConnections + ")";
        break;
      }
      if (lat.p99Ms() > p.p99LimitMs()) {
        stop = "p99 " + lat.p99Ms() + " ms over " + p.p99LimitMs() + " ms at " + Math.round(rate) + " msg/s";
        break;
      }
      held = s;
      rate *= p.factor();
    }
    run.results.put("stoppedBy", stop);
    run.results.put("highestHeldRate", held == null ? 0 : held.get("rate"));
    run.results.put("highestHeldDeliveriesPerSecond", held == null ? 0 : held.get("deliveriesPerSecond"));
    run.results.put("highestHeldP99Ms", held == null ? null : held.get("p99Ms"));
    a.finish(run);
  }
}
