package dev.keel.transport.proxy;

import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.SessionCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a listener that reads PROXY protocol headers ({@code proxy-protocol}). It holds
 * the connection back (the rest of the pipeline does not see it become active) until its first bytes
 * tell whether a header comes, at most {@code handshake-timeout} later:
 * <ul>
 *   <li>from a trusted proxy ({@link ClientAddress#pending}) the header is required. Netty's
 *       {@link HAProxyMessageDecoder} reads it, bounded (108 bytes for v1, 232 plus
 *       {@value #MAX_TLV_BYTES} bytes of TLVs for v2); the client's address is learnt, which admits the
 *       connection by that address; then the pipeline sees it active, and the bytes after the header;</li>
 *   <li>from any other peer a header is refused; other bytes pass on untouched.</li>
 * </ul>
 * A refusal closes the connection and counts it as {@code proxy_protocol}. The gate then leaves the
 * pipeline: a connection pays for it only until its first bytes.
 *
 * <p>Usage: {@code ProxyProtocolGate.addTo(channel, counters.tcp, true, timeoutNanos)}, after TLS, so
 * that it comes first.
 */
public final class ProxyProtocolGate extends ChannelInboundHandlerAdapter {
  /** TLV bytes a v2 header may carry beyond the addresses (HAProxy sends none unless configured to). */
  static final int MAX_TLV_BYTES = 1024;
  private static final Logger log = LoggerFactory.getLogger(ProxyProtocolGate.class);

  private final SessionCounters.Transport counted;
  private final boolean tcp;
  private final boolean trusted;
  private final long timeoutNanos;
  /** Bytes read before they could tell (at most {@link ProxySignature#LONGEST}). */
  private ByteBuf head;
  private ScheduledFuture<?> deadline;
  /** A trusted proxy's header is being read by the decoder after this handler. */
  private boolean decoding;
  /** Decided: passed on, learnt, or refused. */
  private boolean done;
  private boolean refused;

  private ProxyProtocolGate(SessionCounters.Transport counted, boolean tcp, boolean trusted, long timeoutNanos) {
    this.counted = counted;
    this.tcp = tcp;
    this.trusted = trusted;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Puts the gate first in {@code ch}'s pipeline; whether the peer is trusted is what the engine's
   * admission said ({@link ClientAddress#pending}).
   *
   * @param tcp the framed-TCP listener (a refused connection there is closed at once)
   */
  public static void addTo(Channel ch, SessionCounters.Transport counted, boolean tcp, long timeoutNanos) {
    ch.pipeline().addFirst("proxy-protocol", new ProxyProtocolGate(counted, tcp, ClientAddress.pending(ch), timeoutNanos));
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // Not passed on yet: the connection is active for the rest of the pipeline once its client is known.
    deadline = ctx.executor().schedule(() -> timedOut(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (decoding) {
      ctx.fireChannelRead(msg); // to the decoder
      return;
    }
    if (done || !(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg); // refused: nothing more is read
      return;
    }
    head = head == null ? in : joined(ctx, head, in);
    switch (ProxySignature.match(head)) {
      case MORE -> { } // fewer than 12 bytes, all of them a signature's beginning
      case NO -> {
        if (trusted) {
          refuse(ctx, "no PROXY protocol header from a trusted proxy");
        } else {
          passOn(ctx);
        }
      }
      case YES -> {
        if (trusted) {
          decode(ctx);
        } else {
          refuse(ctx, "a PROXY protocol header from a peer that is not in trusted-proxies");
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  private static ByteBuf joined(ChannelHandlerContext ctx, ByteBuf a, ByteBuf b) {
    ByteBuf both = ctx.alloc().buffer(a.readableBytes() + b.readableBytes());
    both.writeBytes(a).writeBytes(b);
    a.release();
    b.release();
    return both;
  }

  /** Not a header, from a peer that may not send one: the connection goes on as if the gate were not there. */
  private void passOn(ChannelHandlerContext ctx) {
    done = true;
    cancelDeadline();
    ByteBuf first = head;
    head = null;
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
    ctx.fireChannelRead(first);
  }

  private void decode(ChannelHandlerContext ctx) {
    decoding = true;
    ctx.pipeline().addAfter(ctx.name(), "proxy-decoder", new HAProxyMessageDecoder(MAX_TLV_BYTES));
    ctx.pipeline().addAfter("proxy-decoder", "proxy-header", new HeaderReader());
    ByteBuf first = head;
    head = null;
    ctx.fireChannelRead(first);
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    if (done) {
      return;
    }
    done = true;
    refused = true;
    cancelDeadline();
    releaseHead();
    counted.closed(CloseCause.PROXY_PROTOCOL);
    log.debug("{}: closed: {}", ctx.channel().remoteAddress(), why);
    ctx.close();
  }

  private void timedOut(ChannelHandlerContext ctx) {
    deadline = null;
    if (done) {
      return;
    }
    done = true;
    refused = true;
    releaseHead();
    counted.closed(CloseCause.HANDSHAKE_TIMEOUT);
    ctx.close();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (decoding) {
      ctx.fireChannelReadComplete(); // the decoder tidies its buffer on it
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    releaseHead();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHead();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!done || refused) {
      ctx.close(); // before anything was decided, or refused: nobody further on has seen the connection
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void releaseHead() {
    if (head != null) {
      head.release();
      head = null;
    }
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  /** The client's address: the header's source, or the proxy's own for a LOCAL header (a health check). */
  static InetSocketAddress client(HAProxyMessage header, InetSocketAddress peer) {
    if (header.command() == HAProxyCommand.LOCAL || header.sourceAddress() == null) {
      return peer;
    }
    InetAddress a = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
    return a == null ? peer : new InetSocketAddress(a, header.sourcePort()); // UNIX sockets: the proxy's
  }

  /** After the decoder: takes the header, learns the client, and lets the connection through. */
  private final class HeaderReader extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HAProxyMessage header) {
        try {
          learnt(ctx, header);
        } finally {
          header.release();
        }
        return;
      }
      if (refused) {
        ReferenceCountUtil.release(msg);
        return;
      }
      ctx.fireChannelRead(msg);
    }

    private void learnt(ChannelHandlerContext ctx, HAProxyMessage header) {
      if (done) {
        return; // timed out meanwhile
      }
      done = true;
      cancelDeadline();
      InetSocketAddress client = client(header, (InetSocketAddress) ctx.channel().remoteAddress());
      CloseCause refusal = ClientAddress.learn(ctx.channel(), client);
      if (refusal != null && tcp) {
        refused = true; // closed and counted by the admission; the bytes after the header go nowhere
        return;
      }
      // Admitted (or an HTTP connection whose request will be answered 503): the pipeline sees it now;
      // the decoder passes on what followed the header when it leaves, right after this.
      ctx.pipeline().remove(ProxyProtocolGate.this);
      ctx.pipeline().remove(this);
      ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // swallowed until the header is read; this handler is gone after that
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!done) {
        refuse(ctx, "bad PROXY protocol header: " + cause.getMessage()); // malformed, or over its size
        return;
      }
      if (refused) {
        ctx.close(); // a refused client's connection: nobody further on has seen it
        return;
      }
      ctx.fireExceptionCaught(cause);
    }
  }
}
