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
 * <p>Usage: {@code open.add(ch)} before the listener is added; {@code open.remove(ch)} in it;
 * {@code open.closeAll(5, SECONDS)} at stop.
 */
final class OpenChannels {
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();

  void add(Channel ch) {
    open.add(ch);
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
