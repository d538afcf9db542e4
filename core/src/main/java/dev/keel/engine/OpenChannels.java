package dev.keel.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every accepted connection not yet closed, so that a stop can close what the grace period left.
 *
 * <p>Netty's {@code DefaultChannelGroup} does this by adding a close listener of its own to each
 * channel, and a second listener makes the close future allocate a listener list: 48 bytes on every
 * connection. Here the admission's one close listener ({@link AcceptGate}) removes the channel.
 *
 * <p>Usage: {@code open.add(ch)} before the listener is added (and a close if it returned false);
 * {@code open.remove(ch)} in the listener; {@code open.closeAll(5, SECONDS)} at stop.
 */
final class OpenChannels {
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  /** Set by the first {@link #closeAll}: a channel accepted after it is closed by its admission. */
  private volatile boolean stopping;

  /**
   * Adds {@code ch}; false when a stop has begun sweeping, and the caller must close it. A channel the
   * listener accepted just before it closed reaches its admission on its own loop, possibly after the
   * sweep: without this it stayed open until its own deadlines (a full core test run saw one outlive a stop by 30 s).
   * Adding and then reading {@code stopping}, against setting it and then sweeping, leaves no gap:
   * either the sweep sees the channel or the channel sees the flag.
   */
  boolean add(Channel ch) {
    open.add(ch);
    return !stopping;
  }

  void remove(Channel ch) {
    open.remove(ch);
  }

  int size() {
    return open.size();
  }

  /**
   * Closes every channel still here and waits, at most {@code timeout} in all, for them to have
   * closed. Not on an event loop: it blocks. Returns whether all closed in time.
   */
  boolean closeAll(long timeout, TimeUnit unit) {
    stopping = true;
    List<ChannelFuture> closing = new ArrayList<>(open.size());
    for (Channel ch : open) {
      closing.add(ch.close());
    }
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (ChannelFuture f : closing) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }
}
