package dev.keel.session;

import io.netty.buffer.ByteBuf;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The {@code conflate} policy's memory of a queue: for each topic (its key), the one message of it
 * queued last, so that a newer one can take its place while the subscriber is behind. Made for a
 * connection only when it first conflates; buffers are compared by identity, never by content (two
 * different messages may have equal bytes).
 *
 * <p>Loop-confined, like its queue.
 */
final class Conflation {
  private final Map<Object, ByteBuf> latest = new IdentityHashMap<>(8);
  private final Map<ByteBuf, Object> keyOf = new IdentityHashMap<>(8);

  /** The queued message of {@code key}'s topic, or null. */
  ByteBuf queued(Object key) {
    return latest.get(key);
  }

  /** {@code buf} is now the queued message of {@code key}'s topic. */
  void remember(Object key, ByteBuf buf) {
    ByteBuf previous = latest.put(key, buf);
    if (previous != null) {
      keyOf.remove(previous);
    }
    keyOf.put(buf, key);
  }

  /** {@code buf} left the queue (written, dropped or released): forget it. */
  void forget(ByteBuf buf) {
    Object key = keyOf.remove(buf);
    if (key != null && latest.get(key) == buf) {
      latest.remove(key);
    }
  }

  void clear() {
    latest.clear();
    keyOf.clear();
  }
}
