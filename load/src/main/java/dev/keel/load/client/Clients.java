package dev.keel.load.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens client connections on a few event loops (native epoll on Linux): no thread per connection.
 * Spreads them over source addresses 127.0.0.2, 127.0.0.3, ... so a long churn does not run out of
 * ephemeral ports (each source address has its own range, and TIME_WAIT sockets hold theirs).
 *
 * <p>Usage: {@code try (Clients c = new Clients(target, 1, 16)) { Conn conn = c.open(Transport.WS, Options.DEFAULT, l).ready().get(); }}
 */
public final class Clients implements AutoCloseable {
  /** The largest message a client accepts from the server. */
  static final int MAX_INBOUND = 16 * 1024 * 1024;
  static final int CONNECT_TIMEOUT_MS = 10_000;

  /** Per-connection socket options. {@code receiveBuffer} 0 leaves the kernel default. */
  public record Options(int receiveBuffer, int readChunk) {
    public static final Options DEFAULT = new Options(0, 0);

    /** A tiny receive buffer: a stalled peer backs the server up after a few KiB. */
    public static Options stalled(int receiveBuffer) {
      return new Options(receiveBuffer, 0);
    }
  }

  private final Target target;
  private final EventLoopGroup group;
  private final boolean epoll = Epoll.isAvailable();
  private final List<InetAddress> sources = new ArrayList<>();
  private final AtomicLong next = new AtomicLong();
  // The client side's own pool, apart from anything else in the process (an in-process server's, in tests).
  private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);

  public Clients(Target target, int ioThreads, int sourceAddresses) {
    this.target = target;
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("load-io", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    if (target.address() instanceof Inet4Address && target.address().isLoopbackAddress()) {
      for (int i = 0; i < sourceAddresses; i++) {
        try {
          sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  public EventLoopGroup group() {
    return group;
  }

  /** Starts a connection; {@link Conn#ready()} completes once it can send (after the upgrade, for WebSocket). */
  public Conn open(Transport transport, Options options, ConnListener listener) {
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.ALLOCATOR, allocator)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // The pipeline needs the Conn, which needs the channel: it is built below, on the loop.
          }
        });
    if (options.receiveBuffer() > 0) {
      b.option(ChannelOption.SO_RCVBUF, options.receiveBuffer());
    }
    if (options.readChunk() > 0) {
      // A slow reader: each read() takes one chunk of at most this size.
      b.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(options.readChunk()).maxMessagesPerRead(1));
    }
    Channel ch = b.register().channel();
    int port = transport == Transport.WS ? target.wsPort() : target.tcpPort();
    Conn conn;
    if (transport == Transport.WS) {
      URI uri = URI.create("ws://" + hostForUri() + ":" + port + "/ws");
      WebSocketClientHandshaker hs = WebSocketClientHandshakerFactory.newHandshaker(
          uri, WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE, MAX_INBOUND);
      conn = new WsConn(ch, listener, hs);
    } else {
      conn = new TcpConn(ch, listener);
    }
    // closeFuture completes however the channel ends, even when it never became active.
    ch.closeFuture().addListener(f -> conn.onInactive());
    ch.eventLoop().execute(() -> {
      if (transport == Transport.WS) {
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024), ((WsConn) conn).new Handler());
      } else {
        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_INBOUND, 0, 4, 0, 4), ((TcpConn) conn).new Handler());
      }
      InetSocketAddress remote = new InetSocketAddress(target.address(), port);
      ChannelFuture f = sources.isEmpty()
          ? ch.connect(remote)
          : ch.connect(remote, new InetSocketAddress(sources.get((int) (next.getAndIncrement() % sources.size())), 0));
      f.addListener(done -> {
        if (!done.isSuccess()) {
          conn.ready.completeExceptionally(done.cause());
          ch.close();
        }
      });
    });
    return conn;
  }

  /** A plain socket to {@code port}: nothing is framed, nothing is answered. */
  public RawConn openRaw(int port) {
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.ALLOCATOR, allocator)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // added below, once the RawConn exists
          }
        });
    Channel ch = b.register().channel();
    RawConn raw = new RawConn(ch);
    ch.eventLoop().execute(() -> {
      ch.pipeline().addLast(raw.new Handler());
      ch.connect(new InetSocketAddress(target.address(), port)).addListener(f -> {
        if (f.isSuccess()) {
          raw.ready.complete(raw);
        } else {
          raw.ready.completeExceptionally(f.cause());
          ch.close();
        }
      });
    });
    return raw;
  }

  private String hostForUri() {
    String h = target.address().getHostAddress();
    return h.contains(":") ? "[" + h + "]" : h;
  }

  /** Opens and waits until ready, or throws after {@code timeoutMs}. */
  public Conn openAndWait(Transport transport, Options options, ConnListener listener, long timeoutMs)
      throws Exception {
    Conn c = open(transport, options, listener);
    try {
      return c.ready().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      c.reset();
      throw e;
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
