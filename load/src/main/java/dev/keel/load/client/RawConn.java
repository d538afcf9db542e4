package dev.keel.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/** A plain socket that sends bytes as given and keeps the first bytes it receives: for malformed peers. */
public final class RawConn {
  static final int KEEP = 4096;
  private final Channel channel;
  private final StringBuilder received = new StringBuilder();
  final java.util.concurrent.CompletableFuture<RawConn> ready = new java.util.concurrent.CompletableFuture<>();

  RawConn(Channel channel) {
    this.channel = channel;
  }

  /** Completes when connected. */
  public java.util.concurrent.CompletableFuture<RawConn> ready() {
    return ready;
  }

  public Channel channel() {
    return channel;
  }

  public void send(String text) {
    channel.writeAndFlush(channel.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The first {@value #KEEP} characters received so far. */
  public synchronized String received() {
    return received.toString();
  }

  final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      try {
        synchronized (RawConn.this) {
          int room = KEEP - received.length();
          if (room > 0) {
            received.append(b.toString(b.readerIndex(), Math.min(room, b.readableBytes()), StandardCharsets.ISO_8859_1));
          }
        }
      } finally {
        b.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
