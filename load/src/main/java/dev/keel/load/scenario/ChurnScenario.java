package dev.keel.load.scenario;

import dev.keel.load.client.Clients;
import dev.keel.load.client.Conn;
import dev.keel.load.client.ConnListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code churn}: keeps N connections alive while each lives a random time and is replaced when it
 * ends. Each ends one of four ways, by weight: a clean close, an abrupt reset, going silent until the
 * server's idle timeout ends it, or stalling (not reading a topic that is being published to) until
 * the server's slow-consumer rule cuts it. Silent and stalled connections that the server has not
 * ended within their limits are reset, and counted.
 */
public final class ChurnScenario implements Scenario {
  /** Ways a connection ends. */
  enum End { CLOSE, RESET, SILENT, STALL }

  /**
   * @param weights relative weights of close, reset, silent, stall
   * @param silentLimit how long a silent connection waits for the server's idle timeout
   * @param stallLimit how long a stalled connection leaves its data unread before looking for the server's cut
   * @param stallRate messages per second published to the topic stalled connections subscribe to
   */
  public record Params(int connections, Duration lifetimeMin, Duration lifetimeMax, int[] weights, Duration silentLimit,
                       Duration stallLimit, double stallRate, int size, int stalledReceiveBuffer, int topics) {
    public Params {
      if (weights.length != 4 || java.util.Arrays.stream(weights).anyMatch(w -> w < 0)
          || java.util.Arrays.stream(weights).sum() == 0) {
        throw new IllegalArgumentException("the mix needs four weights >= 0, not all 0 (close, reset, silent, stall)");
      }
      if (lifetimeMin.compareTo(lifetimeMax) > 0) {
        throw new IllegalArgumentException("lifetime: " + lifetimeMin + " is more than " + lifetimeMax);
      }
    }
  }

  static final String STALL_TOPIC = "churn-stall";
  /** A connection the server ended within the limit; looking again this much later is the grace. */
  static final long LOOK_AGAIN_MS = 3_000;
  private static final long RETRY_MS = 200;

  private final Params p;
  private final LongAdder[] started = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
  private final LongAdder silentNotEnded = new LongAdder();
  private final LongAdder stallNotCut = new LongAdder();
  private final AtomicLong serial = new AtomicLong();
  private volatile long endNanos;

  public ChurnScenario(Params p) {
    this.p = p;
  }

  @Override
  public String name() {
    return "churn";
  }
  @Override
  public int targetConnections() {
    return p.connections();
  }

  /** Every connection reads its topic while it lives; the stall topic is published to. */
  @Override
  public boolean delivers() {
    return p.weights()[End.STALL.ordinal()] > 0 && p.stallRate() > 0;
  }


  @Override
  public boolean churns() {
    return true;
  }

  @Override
  public boolean needsVerdict() {
    return true;
  }

  @Override
  public void run(Run run) throws Exception {
    List<Publisher> pubs = BroadcastScenario.publishers(run, 1, STALL_TOPIC, p.size());
    pubs.get(0).start(p.stallRate());
    long t0 = System.nanoTime();
    endNanos = t0 + run.settings.duration().toNanos();
    for (int i = 0; i < p.connections() && System.nanoTime() < endNanos; i++) {
      spawn(run, true);
    }
    run.sleepUntil(endNanos);
    pubs.get(0).stop();
    report(run, (System.nanoTime() - t0) / 1e9);
  }

  /** Opens one connection that will live a random time and end by a random way; replaced when it ends. */
  private void spawn(Run run, boolean blocking) throws InterruptedException {
    if (run.stopping() || System.nanoTime() >= endNanos) {
      return;
    }
    End end = pick();
    Clients.Options options = end == End.STALL ? Clients.Options.stalled(p.stalledReceiveBuffer()) : Clients.Options.DEFAULT;
    ConnListener replaceOnClose = new ConnListener() {
      @Override
      public void onMsg(Conn conn, io.netty.buffer.ByteBuf json) {
        run.delivered.increment(); // the stall topic's messages, while the connection still reads
      }

      @Override
      public void onClosed(Conn conn) {
        if (!conn.ready().isCompletedExceptionally()) {
          spawnFromLoop(run);
        }
      }
    };
    Conn c;
    try {
      c = blocking ? run.open(run.settings.transport(), options, replaceOnClose)
          : run.openFromLoop(run.settings.transport(), options, replaceOnClose);
    } catch (IllegalStateException e) {
      return; // over --max-connections: the slot waits for the next ending
    }
    c.ready().whenComplete((ok, failure) -> {
      if (failure != null) {
        run.clients.group().schedule(() -> spawnFromLoop(run), RETRY_MS, TimeUnit.MILLISECONDS);
        return;
      }
      started[end.ordinal()].increment();
      String topic = end == End.STALL ? STALL_TOPIC : "churn-" + (serial.getAndIncrement() % p.topics());
      c.send("{\"op\":\"sub\",\"topic\":\"" + topic + "\"}");
      long min = p.lifetimeMin().toMillis();
      long life = min + ThreadLocalRandom.current().nextLong(p.lifetimeMax().toMillis() - min + 1);
      c.channel().eventLoop().schedule(() -> finish(c, end), life, TimeUnit.MILLISECONDS);
    });
  }

  private void spawnFromLoop(Run run) {
    try {
      spawn(run, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // not reached: the non-blocking path never waits
    }
  }

  private void finish(Conn c, End end) {
    if (!c.isOpen()) {
      return;
    }
    var loop = c.channel().eventLoop();
    switch (end) {
      case CLOSE -> c.closeNormally();
      case RESET -> c.reset();
      case SILENT -> {
        c.goSilent();
        loop.schedule(() -> {
          if (c.isOpen()) {
            silentNotEnded.increment();
            c.reset();
          }
        }, p.silentLimit().toMillis(), TimeUnit.MILLISECONDS);
      }
      case STALL -> {
        c.pause();
        loop.schedule(() -> {
          c.resume(); // reads what was buffered, and the server's close if it came
          loop.schedule(() -> {
            if (c.isOpen()) {
              stallNotCut.increment();
              c.reset();
            }
          }, LOOK_AGAIN_MS, TimeUnit.MILLISECONDS);
        }, p.stallLimit().toMillis(), TimeUnit.MILLISECONDS);
      }
      default -> throw new IllegalStateException("unknown end " + end);
    }
  }

  private End pick() {
    int[] w = p.weights();
    int r = ThreadLocalRandom.current().nextInt(w[0] + w[1] + w[2] + w[3]);
    for (int i = 0; i < 4; i++) {
      if (r < w[i]) {
        return End.values()[i];
      }
      r -= w[i];
    }
    return End.CLOSE;
  }

  private void report(Run run, double seconds) {
    run.results.put("targetConnections", p.connections());
    run.results.put("lifetimes", run.ended.sum());
    run.results.put("lifetimesPerSecond", Math.round(run.ended.sum() / seconds));
    run.results.put("startedClose", started[0].sum());
    run.results.put("startedReset", started[1].sum());
    run.results.put("startedSilent", started[2].sum());
    run.results.put("startedStall", started[3].sum());
    run.results.put("silentNotEndedByServer", silentNotEnded.sum());
    run.results.put("stalledNotCutByServer", stallNotCut.sum());
  }
}
