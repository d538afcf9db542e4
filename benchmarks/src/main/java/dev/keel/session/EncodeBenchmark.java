package dev.keel.session;

import dev.keel.transport.tcp.TcpWires;
import dev.keel.transport.ws.WsWires;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ThreadLocalRandom;
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
 * Framing one data message: {@link Wire#dataFrame} on the WebSocket and framed-TCP wires, for
 * payloads of 64 B, 512 B and 8 KiB. This is what a broadcast pays once per transport and event
 * loop (see {@code Delivery}): a pooled direct buffer of exact size, the header, a copy of the payload.
 * The frame is released in the same operation, so the pool's recycling is measured too.
 *
 * <p>Leaves out: building the message envelope (topic, seq) in {@code TopicRegistry}, the
 * per-recipient duplicates and queueing (see {@code FanOutBenchmark}), and the write.
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar EncodeBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodeBenchmark {
  /** Which transport's frame. */
  @Param({"ws", "tcp"})
  public String wire;

  /** Payload bytes. */
  @Param({"64", "512", "8192"})
  public int size;

  private Wire framing;
  private ByteBuf payload;
  private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

  @Setup
  public void setUp() {
    framing = wire.equals("ws") ? WsWires.wire() : TcpWires.wire();
    byte[] bytes = new byte[size];
    ThreadLocalRandom.current().nextBytes(bytes);
    payload = alloc.directBuffer(size, size).writeBytes(bytes);
  }

  @TearDown
  public void tearDown() {
    payload.release();
  }

  /** One text data frame, built and released; returns its length so that nothing is optimised away. */
  @Benchmark
  public int dataFrame() {
    ByteBuf frame = framing.dataFrame(alloc, payload, false);
    try {
      return frame.readableBytes();
    } finally {
      frame.release();
    }
  }
}
