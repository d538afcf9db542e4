package dev.keel.load.scenario;

import dev.keel.load.client.Clients;
import dev.keel.load.client.Conn;
import dev.keel.load.measure.Bytes;
import dev.keel.load.probe.MemorySample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code idle}: N connections, each subscribed to one of T topics, held for the duration. Reports the
 * server's memory per connection: (reading with every connection open − baseline) / N, for RSS and
 * for heap after GC, both readings taken after a requested GC when the server allows it.
 */
public final class IdleScenario implements Scenario {
  private final int connections;
  private final int topics;

  public IdleScenario(int connections, int topics) {
    this.connections = connections;
    this.topics = topics;
  }

  @Override
  public String name() {
    return "idle";
  }
  @Override
  public int targetConnections() {
    return connections;
  }


  @Override
  public void run(Run run) throws Exception {
    MemorySample before = run.probe.gcAndSample();
    long t0 = System.nanoTime();
    List<Conn> conns = Subscriptions.open(run, connections, Subscriber.Kind.FAST, i -> "idle-" + (i % topics),
        Clients.Options.DEFAULT, new LongAdder());
    run.results.put("connections", conns.size());
    run.results.put("openSeconds", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
    run.sleepUntil(t0 + run.settings.duration().toNanos());
    long lost = conns.stream().filter(c -> !c.isOpen()).count();
    run.results.put("connectionsLostWhileIdle", lost);
    MemorySample loaded = run.probe.gcAndSample();
    run.results.put("gcBeforeReading", run.probe.gcHonoured());
    if (before != null && loaded != null) {
      run.results.put("perConnection", perConnection(before, loaded, conns.size()));
    }
    if (lost > 0) {
      throw new RunFailed(lost + " idle connections were closed while held (heartbeats not answered?)");
    }
  }

  static Map<String, Object> perConnection(MemorySample before, MemorySample loaded, int n) {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "rss", before.rssBytes(), loaded.rssBytes(), n);
    put(m, "heapAfterGc", before.heapForLeakCheck(), loaded.heapForLeakCheck(), n);
    put(m, "direct", before.directForLeakCheck(), loaded.directForLeakCheck(), n);
    m.put("serverConnections", loaded.connections());
    return m;
  }

  private static void put(Map<String, Object> m, String name, Long before, Long loaded, int n) {
    if (before == null || loaded == null || n == 0) {
      return;
    }
    double per = (double) (loaded - before) / n;
    m.put(name + "BytesPerConnection", Math.round(per));
    m.put(name + "PerConnection", Bytes.human(per));
    m.put(name + "Before", before);
    m.put(name + "Loaded", loaded);
  }
}
