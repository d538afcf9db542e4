package dev.keel.hostile;

import dev.keel.testing.EmbeddedTcp;
import dev.keel.transport.ws.HttpExtras;
import dev.keel.transport.ws.WsInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/** A WebSocket connection on an EmbeddedChannel with the server's real HTTP + WebSocket pipeline. */
final class EmbeddedWs implements AutoCloseable {
  final EmbeddedChannel channel;
  private final EmbeddedTcp server;

  EmbeddedWs(EmbeddedTcp server) {
    this.server = server;
    channel = new EmbeddedChannel(new WsInitializer(server.context, new HttpExtras(), server.verifier));
    channel.freezeTime();
    String upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: a2VlbC10ZXN0LWtleS0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    feed(upgrade.getBytes(StandardCharsets.US_ASCII), 4096);
    String response = drain();
    if (!response.startsWith("HTTP/1.1 101")) {
      throw new AssertionError("upgrade refused: " + response);
    }
  }

  /** Feeds bytes in chunks, as reads would arrive, until the channel closes. */
  void feed(byte[] bytes, int chunk) {
    for (int off = 0; off < bytes.length && channel.isOpen(); off += chunk) {
      channel.writeInbound(Unpooled.copiedBuffer(bytes, off, Math.min(chunk, bytes.length - off)));
      server.settle(channel);
    }
    server.settle(channel);
  }

  /** Everything written to the peer so far, released. */
  String drain() {
    StringBuilder sb = new StringBuilder();
    Object out;
    while ((out = channel.readOutbound()) != null) {
      if (out instanceof ByteBuf buf) {
        sb.append(buf.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(out);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    drain();
    channel.finishAndReleaseAll();
  }
}
