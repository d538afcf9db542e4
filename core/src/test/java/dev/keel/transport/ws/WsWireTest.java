package dev.keel.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.session.CloseCause;
import dev.keel.testing.EmbeddedTcp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every frame the server sends is built by {@link WsWire}, with no Netty encoder after the upgrade: each
 * must be what a client's RFC 6455 decoder (Netty's, unmasked, as a client reads) takes it for.
 */
class WsWireTest {
  /** A client's view: Netty's decoder expecting unmasked frames, as a client reads a server's. */
  private final EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
  private final List<Object> held = new ArrayList<>();

  @AfterEach
  void release() {
    held.forEach(ReferenceCountUtil::release);
    client.finishAndReleaseAll();
  }

  /** Feeds {@code frame} (released) to the client and returns the one frame it decoded. */
  private WebSocketFrame decoded(Object frame) {
    assertThat(frame).as("a whole frame in one buffer").isInstanceOf(ByteBuf.class);
    client.writeInbound(frame);
    WebSocketFrame f = client.readInbound();
    assertThat(f).as("a complete frame").isNotNull();
    held.add(f);
    Object more = client.readInbound();
    assertThat(more).as("one frame, nothing more").isNull();
    return f;
  }

  @ParameterizedTest
  @EnumSource(CloseCause.class)
  void closeFrame_carriesTheCausesCodeAndReason(CloseCause cause) {
    CloseWebSocketFrame f = (CloseWebSocketFrame) decoded(WsWire.INSTANCE.closeFrame(cause));
    assertThat(f.statusCode()).isEqualTo(cause.wsCode());
    assertThat(f.reasonText()).isEqualTo(cause.wsReason());
  }

  @Test
  void closeFrame_isWrittenAsADuplicate_soEveryConnectionGetsTheWholeFrame() {
    ByteBuf first = (ByteBuf) WsWire.INSTANCE.closeFrame(CloseCause.SLOW_CONSUMER);
    first.skipBytes(first.readableBytes()); // as a write does
    first.release();
    CloseWebSocketFrame again = (CloseWebSocketFrame) decoded(WsWire.INSTANCE.closeFrame(CloseCause.SLOW_CONSUMER));
    assertThat(again.statusCode()).isEqualTo(1008);
  }

  @Test
  void heartbeat_isAnEmptyPing() {
    WebSocketFrame f = decoded(WsWire.INSTANCE.heartbeat());
    assertThat(f).isInstanceOf(PingWebSocketFrame.class);
    assertThat(f.content().readableBytes()).isZero();
  }

  @Test
  void pong_echoesThePingsPayload() {
    byte[] payload = "are you there?".getBytes(StandardCharsets.US_ASCII);
    WebSocketFrame f = decoded(WsWire.INSTANCE.pong(payload));
    assertThat(f).isInstanceOf(PongWebSocketFrame.class);
    assertThat(f.content().toString(StandardCharsets.US_ASCII)).isEqualTo("are you there?");
  }

  /** Each length form of RFC 6455 §5.2: 7 bits, 16 bits, 64 bits. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 1024, 65_535, 65_536, 200_000})
  void replies_areTextFramesOfTheJson_andTheJsonIsReleased(int length) {
    String text = "x".repeat(length);
    ByteBuf json = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    WebSocketFrame f = decoded(WsWire.INSTANCE.frame(json));
    assertThat(json.refCnt()).as("the reply's JSON is released once copied into its frame").isZero();
    assertThat(f).isInstanceOf(TextWebSocketFrame.class);
    assertThat(f.isFinalFragment()).isTrue();
    assertThat(((TextWebSocketFrame) f).text()).isEqualTo(text);
  }

  @Test
  void binaryReplies_areBinaryFrames() {
    byte[] bytes = new byte[300];
    ThreadLocalRandom.current().nextBytes(bytes);
    WebSocketFrame f = decoded(WsWire.INSTANCE.binaryFrame(Unpooled.wrappedBuffer(bytes)));
    assertThat(f).isInstanceOf(BinaryWebSocketFrame.class);
    byte[] got = new byte[f.content().readableBytes()];
    f.content().readBytes(got);
    assertThat(got).isEqualTo(bytes);
  }

  @Test
  void afterTheUpgrade_thePipelineHasNoFrameEncoder_andRepliesArriveWhole() {
    EmbeddedTcp server = new EmbeddedTcp(KeelConfig.builder().build());
    EmbeddedChannel ch = new EmbeddedChannel(new WsInitializer(server.context, new HttpExtras(), server.verifier));
    try {
      ch.freezeTime();
      ch.writeInbound(Unpooled.copiedBuffer("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: a2VlbC10ZXN0LWtleS0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
      server.settle(ch);
      ByteBuf response = ch.readOutbound();
      assertThat(response.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
      response.release();
      assertThat(ch.pipeline().get(WebSocketFrameEncoder.class)).as("no encoder left after the upgrade").isNull();

      ch.writeInbound(masked(0x1, "{\"op\":\"echo\",\"data\":\"hi\"}"));
      ch.writeInbound(masked(0x9, "beat"));
      server.settle(ch);
      List<WebSocketFrame> got = new ArrayList<>();
      Object out;
      while ((out = ch.readOutbound()) != null) {
        got.add(decoded(out));
      }
      assertThat(got).hasSize(2);
      assertThat(got).anySatisfy(f -> assertThat(f).isInstanceOf(TextWebSocketFrame.class)
          .extracting(x -> ((TextWebSocketFrame) x).text()).asString().contains("hi"));
      assertThat(got).anySatisfy(f -> assertThat(f).isInstanceOf(PongWebSocketFrame.class)
          .extracting(x -> x.content().toString(StandardCharsets.US_ASCII)).isEqualTo("beat"));
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** A client's frame: FIN, {@code opcode}, masked (RFC 6455 §5.3), payload under 126 bytes. */
  private static ByteBuf masked(int opcode, String text) {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    byte[] key = {1, 2, 3, 4};
    ByteBuf b = Unpooled.buffer().writeByte(0x80 | opcode).writeByte(0x80 | p.length).writeBytes(key);
    for (int i = 0; i < p.length; i++) {
      b.writeByte(p[i] ^ key[i % 4]);
    }
    return b;
  }
}
