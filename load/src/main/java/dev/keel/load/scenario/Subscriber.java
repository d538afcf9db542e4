package dev.keel.load.scenario;

import dev.keel.load.client.Conn;
import dev.keel.load.client.ConnListener;
import dev.keel.load.client.Frames;
import dev.keel.load.measure.Latency;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.LongAdder;

/**
 * A subscriber's view of its topic: counts messages, checks that {@code seq} goes up by one, and
 * records the latency from each message's due time. State is touched only on its event loop.
 *
 * <p>Usage: {@code Conn c = run.open(transport, options, Subscriber.LISTENER); c.attachment = new Subscriber(run, kind);}
 */
public final class Subscriber {
  /** Fast subscribers are judged on; slow readers and stalled ones are the load on the server's queues. */
  public enum Kind { FAST, SLOW, STALLED }

  final Run run;
  final Kind kind;
  final LongAdder slowDelivered;
  volatile long received;
  volatile long gaps;
  private long lastSeq = -1;

  Subscriber(Run run, Kind kind, LongAdder slowDelivered) {
    this.run = run;
    this.kind = kind;
    this.slowDelivered = slowDelivered;
  }

  /** The shared listener: finds the subscriber on the connection. */
  public static final ConnListener LISTENER = new ConnListener() {
    @Override
    public void onMsg(Conn conn, ByteBuf json) {
      if (conn.attachment instanceof Subscriber s) {
        s.onMsg(json);
      }
    }
  };

  void onMsg(ByteBuf json) {
    Frames.Head head = Frames.head(json);
    long seq = Frames.seq(head);
    if (lastSeq >= 0 && seq > lastSeq + 1 && kind == Kind.FAST) {
      gaps += seq - lastSeq - 1;
      run.gaps.add(seq - lastSeq - 1);
    }
    if (seq > lastSeq) {
      lastSeq = seq;
    }
    received++;
    if (kind != Kind.FAST) {
      slowDelivered.increment();
      return;
    }
    run.delivered.increment();
    long due = Frames.due(head);
    if (due != -1) {
      long latency = System.nanoTime() - due;
      run.latency.recordNanos(latency);
      Latency step = run.stepLatency;
      if (step != null) {
        step.recordNanos(latency);
      }
    }
  }
}
