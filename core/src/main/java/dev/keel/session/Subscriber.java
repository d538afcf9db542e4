package dev.keel.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * A connection as the fan-out sees it: the event loop that owns it, how its transport frames data,
 * and its bounded queue. Everything else about the connection stays behind this interface.
 */
public interface Subscriber {
  /** The loop every call below must be made on. */
  EventLoop eventLoop();

  Framing framing();

  /**
   * Queues a whole data frame of {@link #framing()} under the slow-consumer policy. The frame may be
   * shared with other recipients: the caller keeps its reference, and the queue takes its own.
   *
   * @param topic identifies the frame's topic (by identity) for the {@code conflate} policy
   */
  SendOutcome offer(ByteBuf frame, Object topic);

  /**
   * Whether {@code messages} more frames of {@code bytes} in all would fit the queue's bounds now. A
   * recovery asks before it replays: a replay that cannot fit would cut the connection as a slow
   * consumer before it learned why, and every reconnect would repeat it.
   */
  default boolean hasRoom(int messages, long bytes) {
    return true;
  }
}
