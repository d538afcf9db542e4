package dev.keel.transport.tcp;

import dev.keel.session.ReadActivity;
import dev.keel.transport.FrameSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the framed-TCP stream: a 4-byte unsigned big-endian length N, then N bytes of JSON.
 * Emits each payload as an exact-size {@code byte[]} (nothing downstream retains a slice of the
 * pooled read buffer), {@link #HEARTBEAT} for N = 0, and {@link #TOO_LARGE} once for a frame over
 * the limit, after which it discards all input: the connection is being closed.
 *
 * <p>The length is checked before any payload is buffered, so an oversized frame costs four bytes.
 * Every read is noted in the connection's {@link ReadActivity} (the idle timeout), and a frame that
 * has begun is reported to it: it must finish within the frame timeout, and its bytes count against
 * the memory budget while it waits.
 */
final class TcpFrameDecoder extends ByteToMessageDecoder {
  /** An empty frame: a heartbeat from the peer. */
  static final Object HEARTBEAT = new Object() {
    @Override
    public String toString() {
      return "HEARTBEAT";
    }
  };
  /** A frame announced a length over the limit. */
  static final Object TOO_LARGE = new Object() {
    @Override
    public String toString() {
      return "TOO_LARGE";
    }
  };

  private final int maxMessageSize;
  private final ReadActivity activity;
  /** Where frames and the channel's events go; null: frames go down the pipeline (the decoder's own tests). */
  private final TcpSessionHandler session;
  private boolean discarding;
  /** Frames decoded so far: tells a read that finished one from a read that only added to one. */
  private long frames;

  /** @param activity told, after each read, what the unfinished frame holds (frame timeout, budget) */
  TcpFrameDecoder(int maxMessageSize, ReadActivity activity) {
    this(maxMessageSize, activity, null);
  }

  /**
   * @param session handed every frame, and the channel's start, writability, end and errors: with it,
   *     this decoder is the pipeline's one handler
   */
  TcpFrameDecoder(int maxMessageSize, ReadActivity activity, TcpSessionHandler session) {
    this.maxMessageSize = maxMessageSize;
    this.activity = activity;
    this.session = session;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (session != null) {
      session.channelActive(ctx);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (session != null) {
      session.writabilityChanged();
    }
    super.channelWritabilityChanged(ctx);
  }

  /**
   * The end of the framed-TCP pipeline: what a read raised goes to the session's handler
   * ({@link TcpSessionHandler#failed}), never a stack trace to the client.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (session != null) {
      session.failed(ctx, cause);
    } else {
      super.exceptionCaught(ctx, cause);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    activity.read(); // any byte counts for the idle timeout, a frame's first as much as its last
    long before = frames;
    super.channelRead(ctx, msg);
    // The memory a begun frame holds is the buffer's capacity, not its bytes so far.
    ByteBuf held = internalBuffer();
    activity.frameBuffered(discarding || !held.isReadable() ? 0 : held.capacity(), frames != before);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    try {
      super.channelInactive(ctx); // decodes what is left: its frames still go to the session
    } finally {
      try {
        if (session != null) {
          session.ended();
        }
      } finally {
        activity.ended();
      }
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int before = out.size();
    frame(in, out);
    if (session != null) {
      FrameSink.handOn(ctx, session, out, before);
    }
  }

  private void frame(ByteBuf in, List<Object> out) {
    if (discarding) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < 4) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length > maxMessageSize) {
      discarding = true;
      in.skipBytes(in.readableBytes());
      out.add(TOO_LARGE);
      return;
    }
    if (in.readableBytes() < 4 + length) {
      // Room for exactly this frame, once: the cumulator would otherwise double the buffer as the
      // frame arrives, and a frame of 64 KiB would hold 128 KiB while it waits.
      int exact = in.readerIndex() + 4 + (int) length;
      if (in.capacity() < exact && in.refCnt() == 1 && exact <= in.maxCapacity()) {
        in.capacity(exact);
      }
      return;
    }
    in.skipBytes(4);
    frames++;
    if (length == 0) {
      out.add(HEARTBEAT);
      return;
    }
    byte[] payload = new byte[(int) length];
    in.readBytes(payload);
    out.add(payload);
  }
}
