package dev.keel.engine;

import dev.keel.config.IoTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops' Netty transport: native epoll on Linux by default (edge-triggered, fewer copies),
 * io_uring when asked for ({@code io-transport}), NIO everywhere else.
 */
record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel) {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);


  /** The transport asked for, or the next one down (io_uring, epoll, nio) that this machine can load. */
  static Transport of(IoTransport wanted) {
    if (wanted == IoTransport.IO_URING) {
      if (IoUring.isAvailable()) {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
      }
      log.warn("io-transport io_uring is not available here ({}); using epoll or nio", IoUring.unavailabilityCause().toString());
    }
    if (wanted != IoTransport.NIO && Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
    }
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
  }

  EventLoopGroup newGroup(int threads, String prefix) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), ioHandlers);
  }
}
