package dev.keel.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** A framed-TCP connection: 4-byte big-endian length, then JSON; an empty frame is a heartbeat. */
final class TcpConn extends Conn {

  TcpConn(Channel channel, ConnListener listener) {
    super(channel, listener);
  }

  @Override
  public Transport transport() {
    return Transport.TCP;
  }

  @Override
  public void send(String json) {
    int n = ByteBufUtil.utf8Bytes(json);
    ByteBuf b = channel.alloc().buffer(4 + n);
    b.writeInt(n);
    ByteBufUtil.writeUtf8(b, json);
    channel.writeAndFlush(b, channel.voidPromise());
  }

  @Override
  public void sendPayload(ByteBuf payload, boolean binary) {
    ByteBuf len = channel.alloc().buffer(4).writeInt(payload.readableBytes());
    channel.write(len, channel.voidPromise());
    channel.writeAndFlush(payload, channel.voidPromise());
  }

  /** Sends a frame header promising {@code length} bytes, and nothing else (oversized-frame probe). */
  void sendHeaderOnly(int length) {
    channel.writeAndFlush(channel.alloc().buffer(4).writeInt(length), channel.voidPromise());
  }

  @Override
  void closeCleanly() {
    channel.close();
  }

  /** After the length decoder: one frame payload per read. */
  final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ready.complete(TcpConn.this);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      try {
        if (!frame.isReadable()) {
          if (!silent) {
            ctx.writeAndFlush(ctx.alloc().buffer(4).writeInt(0), ctx.voidPromise()); // heartbeat back
          }
          return;
        }
        onJson(frame);
      } finally {
        frame.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // resets and decoder errors end the connection; onInactive records it
    }
  }
}
