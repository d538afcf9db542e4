package dev.keel.load.scenario;

import dev.keel.load.client.Clients;
import dev.keel.load.client.Conn;
import dev.keel.load.client.ConnListener;
import dev.keel.load.measure.Latency;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code broadcast}: fast subscribers, stalled subscribers (tiny receive buffer, never read), optional
 * slow readers, and publishers at a total rate, all on one topic. Reports delivered/expected for the
 * fast ones, their seq gaps and latency, and how many stalled ones the server cut off.
 */
public final class BroadcastScenario implements Scenario {
  /** How often a slow reader reads one chunk. */
  static final long SLOW_READ_PERIOD_MS = 100;

  /**
   * @param rate total messages per second over all publishers
   * @param size bytes of each message's {@code data}
   * @param slowReadRate bytes per second each slow reader takes
   * @param stalledReceiveBuffer SO_RCVBUF of stalled and slow subscribers
   * @param drainTimeoutMs after publishing stops, how long fast subscribers may take to catch up
   * @param warmupMs publishing at the rate before the measured phase, left out of every figure
   */
  public record Params(int fast, int stalled, int slow, int slowReadRate, int publishers, double rate, int size,
                       int stalledReceiveBuffer, long drainTimeoutMs, long warmupMs) {}

  static final String TOPIC = "broadcast";
  private final Params p;

  public BroadcastScenario(Params p) {
    this.p = p;
  }

  @Override
  public String name() {
    return "broadcast";
  }
  @Override
  public int targetConnections() {
    return p.fast() + p.stalled() + p.slow() + p.publishers();
  }

  @Override
  public boolean delivers() {
    return p.fast() > 0 && p.rate() > 0;
  }


  @Override
  public void run(Run run) throws Exception {
    Audience a = Audience.open(run, p.fast(), p.stalled(), p.slow(), p.slowReadRate(), p.stalledReceiveBuffer(), TOPIC);
    List<Publisher> pubs = publishers(run, p.publishers(), TOPIC, p.size());
    Baseline from = warmUp(run, a, pubs, p.rate(), p.warmupMs(), p.drainTimeoutMs());
    Latency measured = new Latency();
    run.stepLatency = measured;
    long t0 = System.nanoTime();
    for (Publisher pub : pubs) {
      pub.start(p.rate() / pubs.size());
    }
    run.sleepUntil(t0 + run.settings.duration().toNanos());
    for (Publisher pub : pubs) {
      pub.stop();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long published = pubs.stream().mapToLong(Publisher::total).sum() - from.published();
    a.drain(run, from.received() + published * a.fast.size(), p.drainTimeoutMs());
    run.stepLatency = null;
    a.report(run, from, published, seconds, measured.total());
    run.results.put("publishersFellBehind", pubs.stream().filter(Publisher::fellBehind).count());
    a.finish(run);
  }

  /** Counters at the end of the warm-up: the measured phase reports what came after. */
  record Baseline(long published, long received, long gaps) {}

  /**
   * Publishes at {@code rate} for {@code warmupMs} and waits for the fast subscribers to catch up: the
   * JIT compilers of a server (and of this tool) pinned to one core compete with it for seconds.
   */
  static Baseline warmUp(Run run, Audience a, List<Publisher> pubs, double rate, long warmupMs, long drainMs)
      throws InterruptedException {
    if (warmupMs > 0) {
      for (Publisher pub : pubs) {
        pub.start(rate / pubs.size());
      }
      run.sleepUntil(System.nanoTime() + warmupMs * 1_000_000);
      for (Publisher pub : pubs) {
        pub.stop();
      }
      long published = pubs.stream().mapToLong(Publisher::total).sum();
      a.drain(run, published * a.fast.size(), drainMs);
    }
    run.results.put("warmupSeconds", warmupMs / 1000.0);
    return new Baseline(pubs.stream().mapToLong(Publisher::total).sum(), a.fastReceived(), run.gaps.sum());
  }

  static List<Publisher> publishers(Run run, int n, String topic, int size) throws Exception {
    List<Conn> conns = run.openMany(n, run.settings.transport(), Clients.Options.DEFAULT, ConnListener.NONE);
    if (conns.size() < n) {
      throw new RunFailed("opened " + conns.size() + " of " + n + " publishers");
    }
    List<Publisher> pubs = new ArrayList<>();
    for (Conn c : conns) {
      pubs.add(new Publisher(run, c, topic, size));
    }
    return pubs;
  }

  /** The subscribers of one topic: fast, stalled and slow, and how each group fared. */
  static final class Audience {
    final List<Conn> fast;
    final List<Conn> stalled;
    final List<Conn> slow;
    final LongAdder slowDelivered;
    final List<ScheduledFuture<?>> readers = new ArrayList<>();

    private Audience(List<Conn> fast, List<Conn> stalled, List<Conn> slow, LongAdder slowDelivered) {
      this.fast = fast;
      this.stalled = stalled;
      this.slow = slow;
      this.slowDelivered = slowDelivered;
    }

    static Audience open(Run run, int fast, int stalled, int slow, int slowReadRate, int receiveBuffer, String topic)
        throws Exception {
      LongAdder slowDelivered = new LongAdder();
      List<Conn> f = Subscriptions.open(run, fast, Subscriber.Kind.FAST, i -> topic, Clients.Options.DEFAULT, slowDelivered);
      List<Conn> s = stalled == 0 ? List.of() : Subscriptions.open(run, stalled, Subscriber.Kind.STALLED, i -> topic,
          Clients.Options.stalled(receiveBuffer), slowDelivered);
      s.forEach(Conn::pause);
      int chunk = (int) Math.max(64, slowReadRate * SLOW_READ_PERIOD_MS / 1000);
      List<Conn> sl = slow == 0 ? List.of() : Subscriptions.open(run, slow, Subscriber.Kind.SLOW, i -> topic,
          new Clients.Options(receiveBuffer, chunk), slowDelivered);
      Audience a = new Audience(f, s, sl, slowDelivered);
      for (Conn c : sl) {
        c.pause();
        a.readers.add(c.channel().eventLoop().scheduleAtFixedRate(() -> c.channel().read(),
            SLOW_READ_PERIOD_MS, SLOW_READ_PERIOD_MS, TimeUnit.MILLISECONDS));
      }
      run.results.put("fastSubscribers", f.size());
      run.results.put("stalledSubscribers", s.size());
      run.results.put("slowReaders", sl.size());
      return a;
    }

    long fastReceived() {
      long n = 0;
      for (Conn c : fast) {
        n += ((Subscriber) c.attachment).received;
      }
      return n;
    }

    long fastAlive() {
      return fast.stream().filter(Conn::isOpen).count();
    }

    /** Waits until the fast subscribers have received {@code total} messages in all, or the timeout. */
    void drain(Run run, long total, long timeoutMs) throws InterruptedException {
      Run.await(() -> fastReceived() >= total, timeoutMs);
    }

    void report(Run run, Baseline from, long published, double seconds, Latency.Snapshot latency) {
      long expected = published * fast.size();
      long got = fastReceived() - from.received();
      run.results.put("published", published);
      run.results.put("publishSeconds", Math.round(seconds * 1000) / 1000.0);
      run.results.put("expectedDeliveries", expected);
      run.results.put("fastDelivered", got);
      run.results.put("deliveredRatio", expected == 0 ? 1.0 : Math.round(got * 1e6 / expected) / 1e6);
      run.results.put("fastDeliveriesPerSecond", Math.round(got / Math.max(seconds, 1e-9)));
      run.results.put("fastSeqGaps", run.gaps.sum() - from.gaps());
      run.results.put("fastLatencyMs", latency);
      run.results.put("fastDisconnected", fast.size() - fastAlive());
      run.results.put("slowDelivered", slowDelivered.sum());
    }

    /** Lets stalled subscribers read again, to learn which the server had cut off; bounded in time. */
    void finish(Run run) throws InterruptedException {
      readers.forEach(r -> r.cancel(false));
      if (stalled.isEmpty()) {
        return;
      }
      stalled.forEach(Conn::resume);
      Run.await(() -> stalled.stream().noneMatch(Conn::isOpen), 3_000);
      // A stalled peer rarely sees why: the server gives up on the close frame it cannot deliver
      // (--close-timeout) and closes the socket. Any end the client did not start is the server's cut.
      long cut = stalled.stream().filter(c -> !c.isOpen() && !c.endedByClient()).count();
      run.results.put("stalledCutByServer", cut);
      run.results.put("stalledStillOpen", stalled.stream().filter(Conn::isOpen).count());
    }
  }
}
