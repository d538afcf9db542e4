package dev.keel.session;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
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
 * One connection's outbound drain of K = 1 or 16 queued frames (512 B payload, framed TCP), including
 * the flush: K {@link Session#offer}s (each a retained duplicate of one shared frame, charged to the
 * queue and the memory budget), then the loop's {@link DrainBatch} task, whose {@code Session.drain}
 * runs {@code Outbound.drainTo}: K {@code channel.write}s, one {@code flush}, the recount of the
 * channel's buffer for the budget, and the write-deadline check.
 *
 * <p>The channel is an {@code EmbeddedChannel}: the flush moves the frames through Netty's
 * {@code ChannelOutboundBuffer} into the channel's outbound queue, and {@link LoopFixture#discardWritten()}
 * releases them (counted in the operation). Leaves out: the system call and the copy into the
 * kernel's socket buffer, an encoder (the frames are whole; the real pipeline passes them
 * untouched), and framing (see {@code EncodeBenchmark}).
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar DrainBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DrainBenchmark {
  /** Frames queued before each drain. */
  @Param({"1", "16"})
  public int frames;

  private LoopFixture fixture;
  private Session session;
  private ByteBuf frame;
  private final Object topic = new Object();

  @Setup
  public void setUp() {
    fixture = new LoopFixture(KeelConfig.builder().set(CoreOptions.MAX_CONNECTIONS, 16).build());
    session = fixture.open(TcpWires.wire());
    ByteBuf payload = ByteBufAllocator.DEFAULT.directBuffer(512).writeZero(512);
    try {
      frame = TcpWires.wire().dataFrame(ByteBufAllocator.DEFAULT, payload, false);
    } finally {
      payload.release();
    }
  }

  @TearDown
  public void tearDown() {
    frame.release();
    fixture.close();
  }

  /** Queues K frames, drains them with one flush, and discards what was written; returns the frames written. */
  @Benchmark
  public long offerAndDrain() {
    for (int i = 0; i < frames; i++) {
      if (session.offer(frame, topic) != SendOutcome.QUEUED) {
        throw new IllegalStateException("the queue refused a frame: the benchmark would measure nothing");
      }
    }
    fixture.runTasks();
    fixture.discardWritten();
    return session.outbound.messagesOut();
  }
}
