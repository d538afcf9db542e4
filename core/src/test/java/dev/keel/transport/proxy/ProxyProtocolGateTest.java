package dev.keel.transport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.Cidr;
import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.SessionCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProxyProtocolGateTest {
  private static final InetSocketAddress PROXY = new InetSocketAddress(Cidr.literal("127.0.0.1"), 40000);
  private static final InetSocketAddress STRANGER = new InetSocketAddress(Cidr.literal("198.51.100.9"), 40001);
  private static final long TIMEOUT = Duration.ofSeconds(10).toNanos();

  private final SessionCounters counters = new SessionCounters();
  /** The addresses the deferred admission was asked about, in order. */
  private final List<InetAddress> admitted = new ArrayList<>();

  /** An embedded channel whose peer is {@code peer}, as a real accepted socket's would be. */
  private static final class Peer extends EmbeddedChannel {
    private final SocketAddress peer;
    /** An upper bound of how long before the clock froze the gate armed its deadline. */
    long armedUpTo;

    Peer(SocketAddress peer) {
      super(false, true);
      this.peer = peer;
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return peer;
    }
  }

  /** What the rest of the pipeline saw: when it became active, and the bytes it read. */
  private static final class Downstream extends ChannelInboundHandlerAdapter {
    boolean active;
    boolean readBeforeActive;
    final StringBuilder bytes = new StringBuilder();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      readBeforeActive |= !active;
      bytes.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
  }

  /** The rest of the pipeline of the channel made last. */
  private Downstream downstream;

  /** A channel set up as the listener does: admission first (deferred for a trusted proxy), then the gate. */
  private Peer connect(InetSocketAddress peer, boolean tcp) {
    Peer ch = new Peer(peer);
    downstream = new Downstream();
    if (peer.equals(PROXY)) {
      ClientAddress.expect(ch, (c, client) -> {
        admitted.add(client);
        return client.equals(Cidr.literal("192.0.2.66")) ? CloseCause.IP_LIMIT : null;
      }, a -> a.equals(PROXY.getAddress()));
    }
    ch.pipeline().addLast(downstream);
    ProxyProtocolGate.addTo(ch, tcp ? counters.tcp : counters.ws, tcp, TIMEOUT);
    long before = System.nanoTime();
    try {
      ch.register(); // active: the gate's deadline is armed now
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    ch.freezeTime();
    // The deadline was armed on the running clock, some time before it froze: at most this long (on a
    // loaded machine, more than a millisecond). A test that times the deadline subtracts it.
    ch.armedUpTo = System.nanoTime() - before;
    return ch;
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static ByteBuf v2(HAProxyCommand command, String source, int sourcePort, List<HAProxyTLV> tlvs) {
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, command, HAProxyProxiedProtocol.TCP4,
        source, "127.0.0.1", sourcePort, 9090, tlvs));
    ByteBuf header = encoder.readOutbound();
    encoder.finishAndReleaseAll();
    return header;
  }

  @Test
  void trustedProxy_v1Header_clientLearntAndAdmitted_thenTheConnectionGoesOnWithTheBytesAfterIt() {
    Peer ch = connect(PROXY, true);
    assertThat(downstream.active).as("held back until the header is read").isFalse();
    ch.writeInbound(ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 9090\r\nhello"));
    assertThat(admitted).as("admitted by the client's address").containsExactly(Cidr.literal("203.0.113.7"));
    assertThat(ClientAddress.of(ch)).as("the client's address from now on")
        .isEqualTo(new InetSocketAddress(Cidr.literal("203.0.113.7"), 5555));
    assertThat(downstream.active).as("active for the pipeline once admitted").isTrue();
    assertThat(downstream.bytes.toString()).as("the bytes after the header, and only those").isEqualTo("hello");
    assertThat(downstream.readBeforeActive).as("nothing read before active").isFalse();
    assertThat(ch.pipeline().names()).as("the gate and decoder have left")
        .doesNotContain("proxy-protocol", "proxy-decoder", "proxy-header");
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void trustedProxy_v2HeaderTricklingInByteByByte_isReadWhole() {
    Peer ch = connect(PROXY, false);
    ByteBuf header = v2(HAProxyCommand.PROXY, "203.0.113.8", 6000, List.of());
    while (header.isReadable()) {
      ch.writeInbound(header.readRetainedSlice(1));
    }
    header.release();
    assertThat(downstream.active).as("active once the last byte came").isTrue();
    ch.writeInbound(ascii("GET /ws"));
    assertThat(ClientAddress.of(ch)).isEqualTo(new InetSocketAddress(Cidr.literal("203.0.113.8"), 6000));
    assertThat(downstream.bytes.toString()).as("what followed").isEqualTo("GET /ws");
    ch.finishAndReleaseAll();
  }

  @Test
  void trustedProxy_v2Local_healthCheckKeepsTheProxysAddress() {
    Peer ch = connect(PROXY, true);
    ch.writeInbound(v2(HAProxyCommand.LOCAL, "0.0.0.0", 0, List.of()));
    assertThat(admitted).as("admitted as the proxy itself").containsExactly(PROXY.getAddress());
    assertThat(ClientAddress.of(ch)).isEqualTo(PROXY);
    ch.finishAndReleaseAll();
  }

  @Test
  void trustedProxy_clientOverItsLimit_tcpIsClosedAndNothingGoesOn() {
    Peer ch = connect(PROXY, true);
    ch.writeInbound(ascii("PROXY TCP4 192.0.2.66 127.0.0.1 5555 9090\r\n{\"op\":\"ping\"}"));
    assertThat(admitted).containsExactly(Cidr.literal("192.0.2.66"));
    assertThat(downstream.active).as("a refused client's connection never becomes active").isFalse();
    assertThat(downstream.bytes.toString()).as("nor reads anything").isEmpty();
    ch.finishAndReleaseAll();
  }

  @Test
  void trustedProxy_noHeader_isRefused() {
    Peer ch = connect(PROXY, true);
    ch.writeInbound(Unpooled.buffer().writeInt(13).writeBytes("{\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(ch.isOpen()).as("a trusted proxy must send the header").isFalse();
    assertThat(counters.tcp.closedCount(CloseCause.PROXY_PROTOCOL)).as("counted proxy_protocol").isEqualTo(1);
    assertThat(admitted).as("never admitted").isEmpty();
    assertThat(downstream.active).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void trustedProxy_malformedOrOversizedHeader_isRefused() {
    Peer bad = connect(PROXY, true);
    bad.writeInbound(ascii("PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n"));
    assertThat(bad.isOpen()).as("a malformed v1 header").isFalse();
    bad.finishAndReleaseAll();

    Peer big = connect(PROXY, false);
    byte[] value = new byte[232 + ProxyProtocolGate.MAX_TLV_BYTES]; // the whole header may be 232 + 1 KiB bytes
    ByteBuf header = v2(HAProxyCommand.PROXY, "203.0.113.9", 1,
        List.of(new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_AUTHORITY, Unpooled.wrappedBuffer(value))));
    big.writeInbound(header);
    assertThat(big.isOpen()).as("a v2 header over the TLV bound").isFalse();
    assertThat(counters.tcp.closedCount(CloseCause.PROXY_PROTOCOL) + counters.ws.closedCount(CloseCause.PROXY_PROTOCOL))
        .as("both counted proxy_protocol").isEqualTo(2);
    assertThat(admitted).isEmpty();
    big.finishAndReleaseAll();
  }

  @Test
  void trustedProxy_headerNotInTime_isClosedAsHandshakeTimeout() {
    Peer ch = connect(PROXY, true);
    ch.writeInbound(ascii("PROXY TC"));
    long margin = ch.armedUpTo + TimeUnit.MILLISECONDS.toNanos(1);
    ch.advanceTimeBy(TIMEOUT - margin, TimeUnit.NANOSECONDS);
    ch.runPendingTasks();
    assertThat(ch.isOpen()).as("a millisecond before the deadline").isTrue();
    ch.advanceTimeBy(margin, TimeUnit.NANOSECONDS);
    ch.runPendingTasks();
    assertThat(ch.isOpen()).as("at the deadline").isFalse();
    assertThat(counters.tcp.closedCount(CloseCause.HANDSHAKE_TIMEOUT)).as("counted handshake_timeout").isEqualTo(1);
    ch.finishAndReleaseAll();
  }

  @Test
  void untrustedPeer_sendingAHeader_isRefused_v1AndV2() {
    Peer v1 = connect(STRANGER, false);
    v1.writeInbound(ascii("PROXY TCP4 10.9.9.9 127.0.0.1 1 2\r\nGET /ws HTTP/1.1\r\n"));
    assertThat(v1.isOpen()).as("a spoofed v1 header").isFalse();
    assertThat(downstream.active).as("it never reached the pipeline").isFalse();
    assertThat(ClientAddress.of(v1)).as("its address stays its own").isEqualTo(STRANGER);
    v1.finishAndReleaseAll();
    Peer v2 = connect(STRANGER, true);
    v2.writeInbound(v2(HAProxyCommand.PROXY, "10.9.9.9", 1, List.of()));
    assertThat(v2.isOpen()).as("a spoofed v2 header").isFalse();
    v2.finishAndReleaseAll();
    assertThat(counters.ws.closedCount(CloseCause.PROXY_PROTOCOL) + counters.tcp.closedCount(CloseCause.PROXY_PROTOCOL))
        .as("both counted").isEqualTo(2);
    assertThat(downstream.active).as("nor did the second").isFalse();
  }

  @Test
  void untrustedPeer_otherBytes_passOnUntouched_evenAShortFirstMessage() {
    Peer ch = connect(STRANGER, true);
    ch.writeInbound(Unpooled.buffer().writeInt(0)); // a 4-byte heartbeat: the first byte already says no
    assertThat(downstream.active).as("active at once").isTrue();
    assertThat(downstream.bytes.toString()).as("the heartbeat, as sent").isEqualTo("\0\0\0\0");
    assertThat(ch.pipeline().names()).as("the gate left").doesNotContain("proxy-protocol");
    ch.finishAndReleaseAll();
  }

  @Test
  void untrustedPeer_bytesThatStartLikeAHeader_waitForMore_thenPass() {
    Peer ch = connect(STRANGER, false);
    ch.writeInbound(ascii("PRO"));
    assertThat(downstream.active).as("PRO could still be PROXY").isFalse();
    ch.writeInbound(ascii("PFIND / HTTP/1.1\r\n"));
    assertThat(downstream.active).isTrue();
    assertThat(downstream.bytes.toString()).as("every byte, joined").isEqualTo("PROPFIND / HTTP/1.1\r\n");
    ch.finishAndReleaseAll();
  }
}
