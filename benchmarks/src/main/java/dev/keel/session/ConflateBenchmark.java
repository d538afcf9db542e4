package dev.keel.session;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.SlowConsumerPolicy;
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
 * The slow-consumer path under {@code --slow-consumer-policy conflate}: a {@link Session#offer} to a
 * subscriber that is behind (its channel not writable) and whose queue is full, holding one 512 B
 * frame for each of T = 1 or 64 topics ({@code outbound-queue-messages} = T). Each offer is for the
 * next topic in turn, so its older frame is found ({@code Conflation}), taken out of the queue and
 * released, and the new one queued in its place; then the loop's drain task runs and writes nothing
 * (the channel is still not writable).
 *
 * <p>The channel is held unwritable through Netty's user-defined writability, as a full socket
 * holds it above its high-water mark. Topics are offered in queue order, so the frame replaced is
 * always the oldest, found first in the queue: the best case of the queue walk (a random topic
 * walks half the queue on average). Leaves out: framing, the fan-out loop (see
 * {@code FanOutBenchmark}), and the memory budget's hard limit (the budget is far from full).
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar ConflateBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConflateBenchmark {
  /** Topics with a frame in the (full) queue. */
  @Param({"1", "64"})
  public int topics;

  private LoopFixture fixture;
  private Session session;
  private ByteBuf frame;
  private Object[] keys;
  private int next;

  @Setup
  public void setUp() {
    fixture = new LoopFixture(KeelConfig.builder()
        .set(CoreOptions.MAX_CONNECTIONS, 16)
        .set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.CONFLATE)
        .set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, topics)
        .build());
    session = fixture.open(TcpWires.wire());
    LoopFixture.channel(session).unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    ByteBuf payload = ByteBufAllocator.DEFAULT.directBuffer(512).writeZero(512);
    try {
      frame = TcpWires.wire().dataFrame(ByteBufAllocator.DEFAULT, payload, false);
    } finally {
      payload.release();
    }
    keys = new Object[topics];
    for (int i = 0; i < topics; i++) {
      keys[i] = new Object();
      if (session.offer(frame, keys[i]) != SendOutcome.QUEUED) {
        throw new IllegalStateException("could not fill the queue");
      }
    }
    fixture.runTasks();
    if (session.outbound.count() != topics || session.channel.isWritable()) {
      throw new IllegalStateException("the queue should be full and the channel unwritable");
    }
  }

  @TearDown
  public void tearDown() {
    long dropped = session.outbound.drops();
    frame.release();
    fixture.close();
    if (dropped == 0) {
      throw new IllegalStateException("nothing was conflated: the benchmark measured another path");
    }
  }

  /** One conflating offer and the drain task it schedules; returns the queue's length (always T). */
  @Benchmark
  public int offerConflating() {
    Object key = keys[next];
    next = next + 1 == keys.length ? 0 : next + 1;
    if (session.offer(frame, key) != SendOutcome.QUEUED) {
      throw new IllegalStateException("the conflating offer was refused");
    }
    fixture.runTasks();
    return session.outbound.count();
  }
}
