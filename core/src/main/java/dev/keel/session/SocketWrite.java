package dev.keel.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;

/**
 * A write straight to an epoll socket, beside Netty's write path rather than through it: for the
 * common case of a fan-out, one frame to a connection that has nothing else waiting.
 *
 * <p>Netty's path for that frame passes the pipeline from tail to head, adds an entry to the channel's
 * outbound buffer (counting it against the water marks), flushes, writes it with the same system call
 * and then unwinds the entry again. Here it is one {@code send(2)} on the socket's descriptor: with the
 * frame queued as itself rather than as a duplicate, about a quarter less user-space work per delivery
 * on the event loop (docs/benchmarks.md, round 14).
 *
 * <p>Taken only when nothing could be reordered or skipped: an epoll TCP channel (not io_uring, whose
 * writes are in flight in the ring while its outbound buffer holds them, nor NIO), no outbound handler
 * in the pipeline (TLS is the only one a session's pipeline can hold; the pipeline after a WebSocket
 * upgrade is pinned by {@code WsReadActivityTest}), a direct buffer, and the channel's
 * own outbound buffer empty, so no earlier byte is still waiting in it. Whatever the socket does not take
 * goes the usual way, behind nothing, and Netty's water marks, {@code EPOLLOUT} and the write-progress
 * deadline take over from there. An error is not handled here either: the usual path meets it again and
 * closes the channel as it always does.
 *
 * <p>On the channel's event loop only.
 */
final class SocketWrite {
  /** Returned when no write was attempted: the caller writes through the channel. */
  static final int NOT_TAKEN = -1;

  private SocketWrite() {}

  /**
   * Writes what it can of {@code frame}, leaving the buffer's indices alone.
   *
   * @return the bytes the socket took (0 when its buffer is full), or {@link #NOT_TAKEN}
   */
  static int attempt(Channel channel, ByteBuf frame) {
    if (!(channel instanceof EpollSocketChannel epoll) || !(epoll.fd() instanceof Socket socket)
        || !frame.hasMemoryAddress() || !channel.isActive()) {
      return NOT_TAKEN;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    if (out == null || out.totalPendingWriteBytes() != 0) {
      return NOT_TAKEN;
    }
    // TLS is looked for by class, wherever it is (a PROXY-protocol gate can sit in front of it while the
    // header is awaited), and any other outbound handler in front, where one would have to be added.
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.first() instanceof ChannelOutboundHandler || pipeline.get(SslHandler.class) != null) {
      return NOT_TAKEN;
    }
    try {
      // send(2), as Netty's own write of one buffer to this socket does.
      return socket.sendAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
    } catch (IOException e) {
      return NOT_TAKEN; // reset or closed: the channel's own write sees it too, and closes
    }
  }
}
