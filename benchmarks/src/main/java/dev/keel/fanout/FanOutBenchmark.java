package dev.keel.fanout;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.session.LoopFixture;
import dev.keel.session.Subscriber;
import dev.keel.transport.tcp.TcpWires;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One broadcast on one event loop: a {@link Delivery} of a 512 B message to N = 1, 100 or 1,000
 * subscribers (real {@code Session}s, framed TCP, on {@code EmbeddedChannel}s sharing one loop, see
 * {@link LoopFixture}), then the loop's one drain-batch task that writes and flushes each
 * subscriber's frame, then the release of what was written. Per operation: the message framed once,
 * N retained duplicates queued (each charged to the queue and the memory budget), N drains with N
 * flushes. Run with {@code -prof gc} for the bytes allocated per broadcast ({@code gc.alloc.rate.norm}).
 *
 * <p>Leaves out: the publisher's side ({@code TopicRegistry.publish}: the envelope, seq, the topic's
 * lock, the hop of the {@code Delivery} task to the loop), other loops, the system call and the
 * kernel's copy (the written frames are released as a socket would take them), and slow
 * subscribers (every channel stays writable).
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar FanOutBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
  /** Subscribers of the topic, all on the one loop. */
  @Param({"1", "100", "1000"})
  public int subscribers;

  private LoopFixture fixture;
  private Topic topic;
  private Subscriber[] recipients;
  private ByteBuf msg;
  private FanOutCounters counters;

  @Setup
  public void setUp() {
    fixture = new LoopFixture(KeelConfig.builder().set(CoreOptions.MAX_CONNECTIONS, subscribers + 16).build());
    topic = new Topic("bench", null, null);
    recipients = new Subscriber[subscribers];
    for (int i = 0; i < subscribers; i++) {
      recipients[i] = fixture.open(TcpWires.wire());
    }
    msg = ByteBufAllocator.DEFAULT.directBuffer(512).writeZero(512);
    counters = new FanOutCounters();
  }

  @TearDown
  public void tearDown() {
    long delivered = counters.delivered();
    msg.release();
    fixture.close();
    if (delivered == 0) {
      throw new IllegalStateException("no message was queued: the benchmark measured nothing");
    }
  }

  /** One delivery to every subscriber, drained and written; returns how many channels wrote. */
  @Benchmark
  public int deliverAndDrain() {
    // The registry hands each loop's Delivery its own reference to the message (msg.retain()).
    new Delivery(topic, recipients, msg.retain(), null, counters).run();
    fixture.runTasks();
    int wrote = fixture.discardWritten();
    if (wrote != recipients.length) {
      throw new IllegalStateException(wrote + " of " + recipients.length + " subscribers wrote");
    }
    return wrote;
  }
}
