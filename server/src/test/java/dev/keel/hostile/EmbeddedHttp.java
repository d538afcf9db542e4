package dev.keel.hostile;

import dev.keel.testing.EmbeddedTcp;
import dev.keel.transport.ws.HttpExtras;
import dev.keel.transport.ws.WsInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A connection to the server's real HTTP + WebSocket pipeline on an EmbeddedChannel, its clock
 * frozen: bytes in (in chunks, as reads would come), bytes out, time moved by hand.
 */
final class EmbeddedHttp implements AutoCloseable {
  final EmbeddedChannel channel;
  private final EmbeddedTcp server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  EmbeddedHttp(EmbeddedTcp server, HttpExtras extras) {
    this.server = server;
    channel = new EmbeddedChannel(new WsInitializer(server.context, extras, server.verifier));
    channel.freezeTime();
  }

  /** Feeds bytes in chunks until the channel closes. */
  EmbeddedHttp feed(byte[] bytes, int chunk) {
    for (int off = 0; off < bytes.length && channel.isOpen(); off += chunk) {
      channel.writeInbound(Unpooled.copiedBuffer(bytes, off, Math.min(chunk, bytes.length - off)));
      server.settle(channel);
    }
    server.settle(channel);
    return this;
  }

  /** Moves time forward in steps, running what falls due. */
  EmbeddedHttp advance(Duration total, Duration step) {
    for (long left = total.toNanos(); left > 0 && channel.isOpen(); left -= step.toNanos()) {
      channel.advanceTimeBy(Math.min(left, step.toNanos()), TimeUnit.NANOSECONDS);
      channel.runScheduledPendingTasks();
      server.settle(channel);
    }
    return this;
  }

  /** Every byte written to the peer so far. */
  byte[] written() {
    Object m;
    while ((m = channel.readOutbound()) != null) {
      if (m instanceof ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        out.writeBytes(b);
      }
      ReferenceCountUtil.release(m);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    written();
    if (channel.isOpen()) {
      channel.unsafe().close(channel.voidPromise());
      server.settle(channel);
    }
    channel.finishAndReleaseAll();
  }
}
