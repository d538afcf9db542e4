package dev.keel.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.limit.MemoryBudget;
import dev.keel.session.ReadActivity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpFrameDecoderTest {
  private static final int MAX = 100;
  private final MemoryBudget budget = new MemoryBudget(1L << 30);
  private final ReadActivity activity = new ReadActivity(budget, Ticker.systemTicker());
  private final EmbeddedChannel channel = new EmbeddedChannel(new TcpFrameDecoder(MAX, activity));
  private final List<ByteBuf> inputs = new ArrayList<>();

  private ByteBuf in(byte[] bytes) {
    ByteBuf b = Unpooled.buffer(bytes.length).writeBytes(bytes);
    inputs.add(b);
    return b;
  }

  private static byte[] frame(String json) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    ByteBuf b = Unpooled.buffer(4 + payload.length).writeInt(payload.length).writeBytes(payload);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  private static byte[] header(long length) {
    return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  private List<Object> inbound() {
    List<Object> out = new ArrayList<>();
    Object m;
    while ((m = channel.readInbound()) != null) {
      out.add(m);
    }
    return out;
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
    for (ByteBuf b : inputs) {
      assertThat(b.refCnt()).as("refCnt of an input buffer once the decoder is done").isZero();
    }
  }

  @Test
  void wholeFrame_exactSizeByteArray() {
    channel.writeInbound(in(frame("{\"op\":\"ping\"}")));
    List<Object> out = inbound();
    assertThat(out).as("messages from one whole frame").hasSize(1);
    assertThat(out.get(0)).as("decoded payload").isInstanceOf(byte[].class);
    assertThat(new String((byte[]) out.get(0), StandardCharsets.UTF_8)).as("decoded payload text")
        .isEqualTo("{\"op\":\"ping\"}");
  }

  @Test
  void frameSplitAcrossReads_reassembled() {
    byte[] f = frame("{\"op\":\"echo\",\"data\":1}");
    // One byte per read, header included.
    for (int i = 0; i < f.length; i++) {
      channel.writeInbound(in(new byte[] {f[i]}));
      if (i < f.length - 1) {
        assertThat(channel.<Object>readInbound()).as("message after %d of %d bytes", i + 1, f.length).isNull();
      }
    }
    List<Object> out = inbound();
    assertThat(out).as("messages from a frame written a byte at a time").hasSize(1);
    assertThat(new String((byte[]) out.get(0), StandardCharsets.UTF_8)).as("reassembled payload")
        .isEqualTo("{\"op\":\"echo\",\"data\":1}");
  }

  @Test
  void severalFramesInOneRead_andOneSplitAcrossTwo_allDecodedInOrder() {
    byte[] a = frame("{\"a\":1}");
    byte[] b = frame("{\"b\":22}");
    byte[] c = frame("{\"c\":333}");
    byte[] all = concat(a, b, c);
    int cut = a.length + b.length + 3;
    byte[] first = new byte[cut];
    byte[] rest = new byte[all.length - cut];
    System.arraycopy(all, 0, first, 0, cut);
    System.arraycopy(all, cut, rest, 0, rest.length);
    channel.writeInbound(in(first));
    channel.writeInbound(in(rest));
    List<String> texts = new ArrayList<>();
    for (Object m : inbound()) {
      texts.add(new String((byte[]) m, StandardCharsets.UTF_8));
    }
    assertThat(texts).as("payloads of three frames in two reads").containsExactly("{\"a\":1}", "{\"b\":22}", "{\"c\":333}");
  }

  @Test
  void zeroLength_isHeartbeat() {
    channel.writeInbound(in(concat(header(0), frame("{}"), header(0))));
    List<Object> out = inbound();
    assertThat(out).as("messages from heartbeat, frame, heartbeat").hasSize(3);
    assertThat(out.get(0)).as("first message").isSameAs(TcpFrameDecoder.HEARTBEAT);
    assertThat(out.get(1)).as("second message").isInstanceOf(byte[].class);
    assertThat(out.get(2)).as("third message").isSameAs(TcpFrameDecoder.HEARTBEAT);
  }

  @Test
  void lengthAtTheLimit_accepted() {
    byte[] payload = new byte[MAX];
    java.util.Arrays.fill(payload, (byte) 'x');
    channel.writeInbound(in(concat(header(MAX), payload)));
    List<Object> out = inbound();
    assertThat(out).as("messages from a frame of exactly max-message-size").hasSize(1);
    assertThat((byte[]) out.get(0)).as("payload of max-message-size").hasSize(MAX);
  }

  @Test
  void lengthOverTheLimit_tooLargeOnce_thenDiscardsEverything() {
    channel.writeInbound(in(concat(frame("{\"ok\":1}"), header(MAX + 1), new byte[] {'x', 'y'})));
    List<Object> out = inbound();
    assertThat(out).as("messages up to and including an oversized header").hasSize(2);
    assertThat(out.get(0)).as("the frame before the oversized one").isInstanceOf(byte[].class);
    assertThat(out.get(1)).as("the oversized frame").isSameAs(TcpFrameDecoder.TOO_LARGE);
    channel.writeInbound(in(frame("{\"after\":1}")));
    channel.writeInbound(in(concat(header(0), header(0xFFFFFFFFL))));
    assertThat(inbound()).as("messages after TOO_LARGE: everything is discarded").isEmpty();
  }

  @Test
  void hugeUnsignedLength_tooLargeBeforeAnyPayloadIsBuffered() {
    channel.writeInbound(in(header(0xFFFFFFFFL)));
    assertThat(inbound()).as("messages from a header announcing 4GiB - 1").containsExactly(TcpFrameDecoder.TOO_LARGE);
  }
}
