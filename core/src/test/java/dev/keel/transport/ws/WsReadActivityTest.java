package dev.keel.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.session.CloseCause;
import dev.keel.testing.EmbeddedTcp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upgraded WebSocket connection's reads are noted by its frame decoder, not by a handler of their
 * own, and its frames go from the decoder straight to the session: the idle pipeline is the decoder
 * alone, and any byte from the peer (a pong, half a
 * frame) still postpones the idle deadline (defaults: idle timeout 60 s, heartbeat 20 s).
 */
class WsReadActivityTest {
  private final EmbeddedTcp server = new EmbeddedTcp(KeelConfig.builder().build());
  private final EmbeddedChannel ch = new EmbeddedChannel(new WsInitializer(server.context, new HttpExtras(), server.verifier));

  @AfterEach
  void release() {
    drain();
    ch.finishAndReleaseAll();
  }

  private void upgrade() {
    ch.freezeTime();
    ch.writeInbound(Unpooled.copiedBuffer("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: a2VlbC10ZXN0LWtleS0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
    server.settle(ch);
    assertThat(drain()).startsWith("HTTP/1.1 101");
  }

  private String drain() {
    StringBuilder sb = new StringBuilder();
    Object out;
    while ((out = ch.readOutbound()) != null) {
      if (out instanceof ByteBuf b) {
        sb.append(b.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(out);
    }
    return sb.toString();
  }

  /** Moves the channel's clock by {@code d}, a second at a time, running what falls due. */
  private void advance(Duration d) {
    for (long s = 0; s < d.toSeconds(); s++) {
      ch.advanceTimeBy(1, TimeUnit.SECONDS);
      server.settle(ch);
      drain(); // the server's heartbeats
    }
  }

  private static ByteBuf masked(int opcode, boolean fin, byte[] p, int announced) {
    byte[] key = {1, 2, 3, 4};
    ByteBuf b = Unpooled.buffer().writeByte((fin ? 0x80 : 0) | opcode).writeByte(0x80 | announced).writeBytes(key);
    for (int i = 0; i < p.length; i++) {
      b.writeByte(p[i] ^ key[i % 4]);
    }
    return b;
  }

  private long idleCloses() {
    return server.counters.closedCount(CloseCause.IDLE_TIMEOUT);
  }

  @Test
  void afterTheUpgrade_theIdlePipelineIsTheFrameDecoderAlone() {
    upgrade();
    List<Class<?>> handlers = ch.pipeline().toMap().values().stream().<Class<?>>map(ChannelHandler::getClass).toList();
    assertThat(handlers).as("the handlers of an idle WebSocket connection").hasSize(1);
    assertThat(WebSocketFrameDecoder.class.isAssignableFrom(handlers.get(0)))
        .as("the frame decoder alone, which hands frames to the session: %s", handlers).isTrue();
  }

  @Test
  void aPongBeforeTheIdleDeadline_postponesIt() {
    upgrade();
    advance(Duration.ofSeconds(50));
    ch.writeInbound(masked(0xA, true, "beat".getBytes(StandardCharsets.US_ASCII), 4)); // an unsolicited pong
    server.settle(ch);
    advance(Duration.ofSeconds(59));
    assertThat(ch.isOpen()).as("open 109 s in, the pong at 50 s").isTrue();
    assertThat(idleCloses()).isZero();
    advance(Duration.ofSeconds(2));
    assertThat(idleCloses()).as("closed as idle 61 s after the pong").isEqualTo(1);
  }

  @Test
  void halfAFrame_countsAsActivity() {
    upgrade();
    advance(Duration.ofSeconds(50));
    // A text frame announcing 20 bytes, of which 5 arrive: the frame timeout (default 30 s) runs, the idle one restarts.
    ch.writeInbound(masked(0x1, true, "{\"op\"".getBytes(StandardCharsets.US_ASCII), 20));
    server.settle(ch);
    advance(Duration.ofSeconds(20));
    assertThat(ch.isOpen()).as("open 70 s in (idle timeout 60 s): half a frame arrived at 50 s").isTrue();
    assertThat(idleCloses()).isZero();
  }

  @Test
  void withoutAByte_theIdleDeadlineHolds() {
    upgrade();
    advance(Duration.ofSeconds(59));
    assertThat(idleCloses()).isZero();
    advance(Duration.ofSeconds(2));
    assertThat(idleCloses()).as("closed as idle 60 s after the upgrade").isEqualTo(1);
  }
}
