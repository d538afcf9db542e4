package dev.keel.engine;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.session.SessionCounters;
import dev.keel.transport.Tls;
import dev.keel.transport.proxy.ProxyProtocolGate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Binds the listeners: one bootstrap shape, per-address admission first, TLS first in line (after a PROXY
 * protocol header, when the listener reads one). The public ones on the configured host; a private one
 * for the warm-up on loopback ({@link #bindPrivate}).
 */
final class Listeners {
  /** Where the private listener binds: loopback, so that only this machine can reach it. */
  static final String PRIVATE_HOST = "127.0.0.1";
  /**
   * One read-size predictor configuration for every connection. Netty's default config makes a new
   * allocator per channel (32 bytes each, 10,000 idle connections hold 320 KB of identical copies);
   * the allocator is immutable configuration and each channel still gets its own handle from it.
   * 16 reads per wake-up is what Netty gives a stream channel (its metadata), so reading is unchanged.
   */
  static final AdaptiveRecvByteBufAllocator SHARED_RECV_ALLOCATOR = new AdaptiveRecvByteBufAllocator();

  static {
    SHARED_RECV_ALLOCATOR.maxMessagesPerRead(16);
  }

  private final KeelConfig config;
  private final Transport transport;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ByteBufAllocator allocator;
  private final Tls tls;
  private final AcceptGate gate;

  Listeners(KeelConfig config, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
      ByteBufAllocator allocator, Tls tls, AcceptGate gate) {
    this.config = config;
    this.transport = transport;
    this.boss = boss;
    this.workers = workers;
    this.allocator = allocator;
    this.tls = tls;
    this.gate = gate;
  }

  /**
   * Binds {@code port} on the configured host, with TLS and a PROXY header as configured.
   *
   * @throws IllegalStateException naming the listener and the address when the bind fails
   */
  Channel bind(String name, ChannelInitializer<Channel> initializer, SessionCounters.Transport counted, int port)
      throws InterruptedException {
    boolean proxyHeaders = gate.proxyProtocol(counted.name().equals("tcp"));
    return bind(name, initializer, counted, config.get(CoreOptions.HOST), port, tls, proxyHeaders, false);
  }

  /**
   * Binds a private listener on {@value #PRIVATE_HOST}, on a free port, with {@code initializer} (the
   * public WebSocket listener's, so that what runs there is what clients will run). No TLS and no PROXY
   * header, whatever the public listeners take, and every peer admitted as its own client (no proxy is in
   * front of it): a local client speaks to it plainly. Every other bound is the public listeners'.
   */
  Channel bindPrivate(String name, ChannelInitializer<Channel> initializer, SessionCounters.Transport counted)
      throws InterruptedException {
    return bind(name, initializer, counted, PRIVATE_HOST, 0, null, false, true);
  }

  private Channel bind(String name, ChannelInitializer<Channel> initializer, SessionCounters.Transport counted,
      String host, int port, Tls withTls, boolean proxyHeaders, boolean direct) throws InterruptedException {
    int high = config.get(CoreOptions.WRITE_BUFFER_HIGH_WATER);
    boolean tcp = counted.name().equals("tcp");
    long handshakeNanos = config.get(CoreOptions.HANDSHAKE_TIMEOUT).toNanos();
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.ALLOCATOR, allocator)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (!gate.admit(ch, counted, direct)) {
              return;
            }
            if (ch.metadata().defaultMaxMessagesPerRead() == SHARED_RECV_ALLOCATOR.maxMessagesPerRead()) {
              ch.config().setRecvByteBufAllocator(SHARED_RECV_ALLOCATOR);
            }
            ch.pipeline().addLast(initializer);
            if (withTls != null) {
              withTls.addTo(ch); // first: everything else sees plaintext
            }
            if (proxyHeaders) {
              ProxyProtocolGate.addTo(ch, counted, tcp, handshakeNanos); // before TLS: the header comes first
            }
          }
        });
    int sndbuf = config.get(CoreOptions.SOCKET_SEND_BUFFER);
    if (sndbuf > 0) {
      b.childOption(ChannelOption.SO_SNDBUF, sndbuf);
    }
    try {
      Channel listener = b.bind(host, port).sync().channel();
      listener.pipeline().addLast("accept-errors", new AcceptErrors(name)); // after Netty's acceptor
      return listener;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind the " + name + " listener on " + host + ":" + port
          + ": " + e.getMessage() + (String.valueOf(e.getMessage()).contains("in use")
              || String.valueOf(e.getMessage()).contains("-98") ? " (is another server on that port?)" : ""), e);
    }
  }
}
