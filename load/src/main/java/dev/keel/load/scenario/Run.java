package dev.keel.load.scenario;

import dev.keel.load.client.Clients;
import dev.keel.load.client.Conn;
import dev.keel.load.client.ConnListener;
import dev.keel.load.client.Transport;
import dev.keel.load.measure.Latency;
import dev.keel.load.probe.MemorySample;
import dev.keel.load.probe.ServerProbe;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state of one run that every scenario shares: the clients, the counters, the latency recorder,
 * the server probe and the samples. Scenarios open connections through {@link #open} so that every
 * connection is counted and closed at the end.
 *
 * <p>Usage: see {@link Runner}; a scenario calls {@code run.openMany(...)}, {@code run.sleepUntil(...)}
 * and puts its figures in {@link #results}.
 */
public final class Run {
  // A sample list this long is a day at one per second: the bound on the time series.
  static final int MAX_POINTS = 86_400;

  public final Settings settings;
  public final Clients clients;
  public final ServerProbe probe;
  public final PrintStream err;
  public final Latency latency = new Latency();
  /** Latency of the current ramp step, recorded alongside {@link #latency} while non-null. */
  public volatile Latency stepLatency;
  public final LongAdder sent = new LongAdder();
  public final LongAdder delivered = new LongAdder();
  public final LongAdder gaps = new LongAdder();
  public final LongAdder opened = new LongAdder();
  public final LongAdder connectFailures = new LongAdder();
  /** Why the first connection that failed did (for the run-failed message). */
  public volatile Throwable firstConnectFailure;
  public final LongAdder ended = new LongAdder();
  /** Connections established and not yet ended, and the most there ever were at once. */
  private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger peakLive = new java.util.concurrent.atomic.AtomicInteger();
  public final LongAdder serverCuts = new LongAdder();
  /** How connections ended, by {@link Conn#endedBy()}. */
  public final Map<String, LongAdder> endings = new ConcurrentHashMap<>();
  /** The scenario's own figures, in the order it adds them; they go into the JSON summary as they are. */
  public final Map<String, Object> results = Collections.synchronizedMap(new LinkedHashMap<>());
  final List<Point> points = Collections.synchronizedList(new ArrayList<>());
  final List<MemorySample> serverSamples = Collections.synchronizedList(new ArrayList<>());
  private final Set<Conn> open = ConcurrentHashMap.newKeySet();
  private final Semaphore connecting;
  final long startNanos = System.nanoTime();
  final long startMs = System.currentTimeMillis();
  volatile boolean stopping;

  Run(Settings settings, Clients clients, ServerProbe probe, PrintStream err) {
    this.settings = settings;
    this.clients = clients;
    this.probe = probe;
    this.err = err;
    this.connecting = new Semaphore(settings.maxInflightConnects());
  }

  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  public long openCount() {
    return open.size();
  }

  /** The most connections that were established at the same time during the run. */
  public int peakEstablished() {
    return peakLive.get();
  }

  /** Whether the run is ending: scenarios stop opening replacements. */
  public boolean stopping() {
    return stopping;
  }

  /**
   * Starts one connection, counted and tracked; refuses beyond {@code --max-connections} (file
   * descriptors). Waits while too many connects are in flight (never call on an event loop).
   */
  public Conn open(Transport transport, Clients.Options options, ConnListener listener) throws InterruptedException {
    if (open.size() >= settings.maxConnections()) {
      throw new IllegalStateException("would exceed --max-connections " + settings.maxConnections());
    }
    if (!connecting.tryAcquire(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("connects did not complete within " + settings.connectTimeout());
    }
    return openTracked(transport, options, listener, true);
  }

  /** Like {@link #open} but never blocks: for replacements opened from an event loop. */
  public Conn openFromLoop(Transport transport, Clients.Options options, ConnListener listener) {
    return openTracked(transport, options, listener, false);
  }

  private Conn openTracked(Transport transport, Clients.Options options, ConnListener listener, boolean permit) {
    Conn c = clients.open(transport, options, new Tracking(listener));
    open.add(c);
    if (c.channel().closeFuture().isDone()) {
      open.remove(c); // it ended before it was added: its close listener found nothing to remove
    }
    opened.increment();
    c.ready().whenComplete((ok, failure) -> {
      if (permit) {
        connecting.release();
      }
      if (failure != null) {
        connectFailures.increment();
        if (firstConnectFailure == null) {
          firstConnectFailure = failure;
        }
      } else {
        peakLive.accumulateAndGet(live.incrementAndGet(), Math::max);
      }
    });
    return c;
  }

  /**
   * Opens {@code n} connections and waits until all are ready or failed; gives back the ready ones.
   * {@code setup} runs for each as it opens (e.g. to attach its state).
   */
  public List<Conn> openMany(int n, Transport transport, Clients.Options options, ConnListener listener)
      throws InterruptedException {
    List<Conn> all = new ArrayList<>(n);
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(n / 500 + 5);
    for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
      all.add(open(transport, options, listener));
    }
    List<Conn> ready = new ArrayList<>(n);
    for (Conn c : all) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        ready.add(c.ready().get(left, TimeUnit.NANOSECONDS));
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        c.reset();
      }
    }
    return ready;
  }

  /** Paces a scenario by time (not a synchronisation): returns early when the run is stopping. */
  public void sleepUntil(long deadlineNanos) throws InterruptedException {
    while (!stopping) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }

  /** Waits up to {@code timeoutMs} for {@code condition}, checking every 20 ms; returns whether it held. */
  public static boolean await(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return true;
  }

  /** Closes every connection still open (close frame, then reset what lingers); bounded in time. */
  void closeAll() throws InterruptedException {
    for (Conn c : open) {
      c.closeNormally();
    }
    if (!await(open::isEmpty, 5_000)) {
      for (Conn c : open) {
        c.reset();
      }
      await(open::isEmpty, 5_000);
    }
  }

  /** Counts a connection's end, then passes events on to the scenario's listener. */
  private final class Tracking implements ConnListener {
    private final ConnListener inner;

    Tracking(ConnListener inner) {
      this.inner = inner;
    }

    @Override
    public void onMsg(Conn conn, io.netty.buffer.ByteBuf json) {
      inner.onMsg(conn, json);
    }

    @Override
    public void onReply(Conn conn, com.fasterxml.jackson.databind.JsonNode reply) {
      inner.onReply(conn, reply);
    }

    @Override
    public void onClosed(Conn conn) {
      open.remove(conn);
      if (conn.ready().isDone() && !conn.ready().isCompletedExceptionally()) {
        live.decrementAndGet();
        ended.increment();
        String how = conn.endedBy() == null ? "closed" : conn.endedBy();
        endings.computeIfAbsent(how, k -> new LongAdder()).increment();
        if (how.contains("slow")) {
          serverCuts.increment();
        }
      }
      inner.onClosed(conn);
    }
  }
}
