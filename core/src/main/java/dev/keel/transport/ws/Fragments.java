package dev.keel.transport.ws;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A fragmented WebSocket message under way (RFC 6455 §5.4): each fragment's bytes are copied out of
 * their pooled frame as they arrive, into one array that grows by doubling (at most twice
 * {@code max-message-size}, however small the fragments), and the message leaves as an exact-size
 * copy when its last fragment comes. Made on a connection's first fragment only: most clients never
 * fragment.
 */
final class Fragments {
  private final boolean binary;
  private final int max;
  private byte[] bytes;
  private int length;

  Fragments(boolean binary, int max) {
    this.binary = binary;
    this.max = max;
    this.bytes = new byte[Math.min(max, 256)];
  }

  boolean binary() {
    return binary;
  }

  /** Adds a fragment's bytes; false when the message would grow past the limit. */
  boolean add(ByteBuf content) {
    int n = content.readableBytes();
    if ((long) length + n > max) {
      return false;
    }
    if (length + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max((long) length + n, 2L * bytes.length)));
    }
    content.getBytes(content.readerIndex(), bytes, length, n);
    length += n;
    return true;
  }

  /** The memory the message holds so far: its array (the memory budget charges this). */
  int held() {
    return bytes.length;
  }

  /** The whole message, exactly its size. */
  byte[] message() {
    return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }
}
