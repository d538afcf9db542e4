package dev.keel.session;

import dev.keel.config.SlowConsumerPolicy;
import dev.keel.limit.MemoryBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * One connection's outbound path: its user-space queue, control frames (replies, errors, pongs,
 * heartbeats) in one lane and data (published messages) in another, bounded together in bytes and
 * messages; the callers waiting to learn that their message was written; and the drain that writes
 * what the channel will take, control first, with one flush.
 *
 * <p>Control is never dropped and always leaves first. Data that does not fit is handled by the
 * slow-consumer policy. A control frame that does not fit means the peer has stopped reading even
 * its replies: the caller closes the connection.
 *
 * <p>Owns every buffer it holds: each is released when written, dropped, or at {@link #releaseAll()}.
 * Not thread-safe: used on the connection's event loop only.
 *
 * <p>The drain writes only while the channel is writable (below its high-water mark): the queue
 * holds the rest, and the kernel's TCP flow control holds what is in the socket.
 *
 * <p>Everything queued is charged to the server's memory budget ({@link MemoryBudget.Kind#OUTBOUND}):
 * its bytes plus {@link MemoryBudget#ENTRY_OVERHEAD} per message, released as it leaves. A data message
 * for a subscriber that is behind is dropped when the budget is full (the hard limit; control frames
 * are never refused).
 */
final class Outbound {
  /** What {@link #offerData} did. */
  enum Offer { QUEUED, QUEUED_AFTER_DROPPING, DROPPED, FULL }

  /** The server's settings, counters and budget (one reference: there is one queue per connection). */
  private final ServerContext server;
  /**
   * Queued data messages whose writing a caller waits for, in queue order, each known by its buffer
   * (identity); null until the first.
   */
  private ArrayDeque<Tracked> tracked;
  /** Under {@code conflate}, made when first needed. */
  private Conflation conflation;
  private long messagesOut;
  /** Ticker time of the last write; 0 before the first. */
  private long lastWriteNanos;

  /** @param written completed when written, dropped or closed */
  private record Tracked(ByteBuf buf, CompletableFuture<SendOutcome> written) {}
  /**
   * The oldest control frame queued, then the others in order. A connection rarely has more than one
   * waiting (a reply, a pong), so the first needs no queue: 56 bytes less on every connection that
   * has ever had a reply. The invariant: {@code controlRest} holds frames only while {@code controlFirst}
   * holds one.
   */
  private Object controlFirst;
  private ArrayDeque<Object> controlRest;
  // Made on first use and kept: a connection that has never been sent data pays for none.
  private ArrayDeque<ByteBuf> data;
  private long bytes;
  private long drops;
  /** How many data messages the last {@link #offerData} call dropped. */
  private int lastDropped;
  /**
   * What the channel's own buffer held when last looked at (written, not yet taken by the socket:
   * at most about the high-water mark), as charged to the budget.
   */
  private long channelCharged;

  Outbound(ServerContext server) {
    this.server = server;
  }

  /** For tests of the queue alone. */
  Offer offerData(ByteBuf shared) {
    return offerData(shared, null, false);
  }

  /**
   * Queues a data payload shared with other recipients: on success the queue holds a reference of its
   * own (retained, the same object: its indices are never moved here, see {@link #drainTo}); the caller
   * keeps its reference either way.
   *
   * @param key the message's topic (identity), for {@code conflate}; null for a private send
   * @param behind the subscriber is behind (its channel is not writable): {@code conflate} applies
   */
  Offer offerData(ByteBuf shared, Object key, boolean behind) {
    lastDropped = 0;
    int size = shared.readableBytes();
    SessionSettings settings = server.settings();
    boolean conflating = key != null && behind && settings.slowConsumerPolicy() == SlowConsumerPolicy.CONFLATE;
    if (conflating && conflation != null) {
      ByteBuf older = conflation.queued(key);
      if (older != null) {
        removeQueued(older); // the newer value of the topic takes the older one's place
        dropped(1);
      }
    }
    if (behind && !server.budget().admits(size + (long) MemoryBudget.ENTRY_OVERHEAD, accounted())) {
      // The hard limit: the budget is full, and this subscriber is behind and holds more than its
      // share. A subscriber that keeps up is never refused here (its message leaves in this batch),
      // and one a little behind only past the budget itself: slow consumers cannot starve them.
      dropped(1);
      server.budget().count(MemoryBudget.Action.DROPPED);
      return Offer.DROPPED;
    }
    if (fits(size)) {
      add(shared.retain(), size, conflating ? key : null);
      return lastDropped == 0 ? Offer.QUEUED : Offer.QUEUED_AFTER_DROPPING;
    }
    switch (settings.slowConsumerPolicy()) {
      case DISCONNECT:
        return Offer.FULL;
      case DROP_NEWEST:
        dropped(1);
        return Offer.DROPPED;
      case DROP_OLDEST:
      case CONFLATE: // full even with one message per topic: the oldest go
      default:
        if (size > settings.queueBytes()) {
          dropped(1); // can never fit, whatever is dropped
          return Offer.DROPPED;
        }
        while (!fits(size) && data != null && !data.isEmpty()) {
          ByteBuf old = data.pollFirst();
          left(old);
          told(old, SendOutcome.DROPPED);
          old.release();
          dropped(1);
        }
        if (!fits(size)) {
          // Control frames alone fill the queue; they cannot be dropped, so this message is.
          dropped(1);
          return Offer.DROPPED;
        }
        add(shared.retain(), size, conflating ? key : null);
        return Offer.QUEUED_AFTER_DROPPING;
    }
  }

  /**
   * Queues a control frame, taking ownership. Returns false, having released it, if the queue
   * already holds the bound: the peer is not reading, and the caller must close the connection.
   */
  boolean offerControl(Object frame) {
    int size = sizeOf(frame);
    SessionSettings settings = server.settings();
    if (bytes + size > 2L * settings.queueBytes() || count() + 1 > 2L * settings.queueMessages()) {
      // Control may overdraw the data bound up to twice over, never more.
      ReferenceCountUtil.release(frame);
      return false;
    }
    if (controlFirst == null) {
      controlFirst = frame;
    } else {
      if (controlRest == null) {
        controlRest = new ArrayDeque<>(4);
      }
      controlRest.addLast(frame);
    }
    grow(size);
    return true;
  }

  Object pollControl() {
    Object frame = controlFirst;
    if (frame != null) {
      controlFirst = controlRest == null ? null : controlRest.pollFirst();
      take(sizeOf(frame));
    }
    return frame;
  }

  ByteBuf pollData() {
    ByteBuf buf = data == null ? null : data.pollFirst();
    if (buf != null) {
      left(buf);
    }
    return buf;
  }

  /** Releases all queued data, keeping control frames. */
  void releaseData() {
    if (data == null) {
      return;
    }
    ByteBuf buf;
    while ((buf = data.pollFirst()) != null) {
      left(buf);
      told(buf, SendOutcome.CLOSED);
      buf.release();
    }
  }

  /** A data message left the queue unwritten: its waiter, if it has one (the oldest), learns why. */
  private void told(ByteBuf buf, SendOutcome why) {
    if (tracked != null && !tracked.isEmpty() && tracked.peekFirst().buf() == buf) {
      tracked.pollFirst().written().complete(why);
    }
  }

  /** Releases everything still queued. */
  void releaseAll() {
    releaseData();
    Object frame;
    while ((frame = pollControl()) != null) {
      ReferenceCountUtil.release(frame);
    }
  }

  /**
   * Queues a data frame under the policy (see {@link #offerData}) and says what became of it:
   * {@code CLOSED} means full under the disconnect policy, which the caller answers by closing.
   * Waiters of messages the policy dropped to make room are told so as they go.
   */
  SendOutcome offer(ByteBuf shared, Object key, boolean behind, LongAdder droppedCounter) {
    switch (offerData(shared, key, behind)) {
      case QUEUED:
        return SendOutcome.QUEUED;
      case QUEUED_AFTER_DROPPING:
        droppedCounter.add(lastDropped);
        return SendOutcome.QUEUED;
      case DROPPED:
        droppedCounter.add(lastDropped);
        return SendOutcome.DROPPED;
      case FULL:
      default:
        return SendOutcome.CLOSED;
    }
  }

  /** {@code written} learns what becomes of the data message queued last. */
  void track(CompletableFuture<SendOutcome> written) {
    if (tracked == null) {
      tracked = new ArrayDeque<>(2);
    }
    tracked.addLast(new Tracked(data.peekLast(), written));
  }

  /**
   * Tells the waiters of messages that can no longer be written why: every waiter once the queue holds
   * no data (a close released it). Messages dropped by the policy tell their waiters as they go.
   */
  void failLost(SendOutcome why) {
    if (data == null || data.isEmpty()) {
      failAll(why);
    }
  }

  /** Tells every waiter that its message will never be written. */
  void failAll(SendOutcome why) {
    if (tracked != null) {
      for (Tracked t : tracked) {
        t.written().complete(why);
      }
      tracked = null;
    }
  }

  /**
   * Writes what {@code channel} will take now, control first, and flushes once.
   *
   * @return whether anything was written
   */
  boolean drainTo(Channel channel, long now) {
    if (controlFirst == null && data != null && data.size() == 1 && (tracked == null || tracked.isEmpty())
        && channel.isWritable()) {
      // A fan-out's usual case: one frame and nothing else waiting. Straight to the socket if it can.
      ByteBuf only = data.peekFirst();
      int n = SocketWrite.attempt(channel, only);
      if (n != SocketWrite.NOT_TAKEN) {
        pollData();
        messagesOut++;
        lastWriteNanos = now;
        if (n == only.readableBytes()) {
          only.release();
          return true;
        }
        // The rest goes the usual way, behind nothing, as a view with indices of its own (the frame is
        // shared with other recipients); the view shares the frame's count, so it takes this reference.
        channel.writeAndFlush(only.duplicate().skipBytes(n), channel.voidPromise());
        recount(channel);
        return true;
      }
    }
    boolean wrote = false;
    while (channel.isWritable()) {
      Object frame = pollControl();
      CompletableFuture<SendOutcome> written = null;
      if (frame == null) {
        ByteBuf data = pollData();
        if (data == null) {
          break;
        }
        Tracked t = tracked != null && !tracked.isEmpty() && tracked.peekFirst().buf() == data
            ? tracked.pollFirst() : null;
        // Already a whole frame (Wire#dataFrame), written as it is. Netty moves the indices of what it
        // writes, and the frame is shared with other recipients: it gets a view (same memory and count,
        // own indices) that takes this queue's reference.
        frame = data.duplicate();
        written = t == null ? null : t.written();
        messagesOut++;
      }
      if (written == null) {
        channel.write(frame, channel.voidPromise());
      } else {
        CompletableFuture<SendOutcome> w = written;
        channel.write(frame).addListener(f -> w.complete(f.isSuccess() ? SendOutcome.QUEUED : SendOutcome.CLOSED));
      }
      wrote = true;
    }
    if (wrote) {
      channel.flush();
      lastWriteNanos = now;
      recount(channel);
    }
    return wrote;
  }

  /**
   * Charges the budget with what the channel's buffer holds now. Looked at after each flush and
   * each change of writability, so the charge is at most one high-water mark stale, and then high
   * (conservative): bytes the socket takes between looks are released at the next look.
   */
  void recount(Channel channel) {
    var out = channel.unsafe().outboundBuffer();
    long pending = out == null ? 0 : out.totalPendingWriteBytes();
    if (pending != channelCharged) {
      server.budget().charge(MemoryBudget.Kind.OUTBOUND, pending - channelCharged);
      channelCharged = pending;
    }
  }

  /** The channel is gone: its buffer's charge is released. */
  void channelGone() {
    if (channelCharged != 0) {
      server.budget().release(MemoryBudget.Kind.OUTBOUND, channelCharged);
      channelCharged = 0;
    }
  }

  /** Writes every queued control frame whatever the writability (they are bounded): before a goodbye. */
  void writeControlTo(Channel channel) {
    Object control;
    while ((control = pollControl()) != null) {
      channel.write(control, channel.voidPromise());
    }
  }

  long messagesOut() {
    return messagesOut;
  }

  long lastWriteNanos() {
    return lastWriteNanos;
  }

  boolean isEmpty() {
    return controlFirst == null && (data == null || data.isEmpty());
  }

  boolean hasData() {
    return data != null && !data.isEmpty();
  }

  long bytes() {
    return bytes;
  }

  /**
   * Bytes this queue holds as the memory budget counts them: with the per-message overhead, and
   * what the channel's buffer held at the last look.
   */
  long accounted() {
    return bytes + (long) count() * MemoryBudget.ENTRY_OVERHEAD + channelCharged;
  }

  int count() {
    int controls = controlFirst == null ? 0 : 1 + (controlRest == null ? 0 : controlRest.size());
    return controls + (data == null ? 0 : data.size());
  }

  /** Data messages dropped by policy over this queue's life. */
  long drops() {
    return drops;
  }

  int lastDropped() {
    return lastDropped;
  }

  /** Whether {@code messages} more frames of {@code size} bytes in all fit the queue's bounds now. */
  boolean hasRoom(int messages, long size) {
    SessionSettings settings = server.settings();
    return bytes + size <= settings.queueBytes() && count() + (long) messages <= settings.queueMessages();
  }

  private boolean fits(int size) {
    SessionSettings settings = server.settings();
    return bytes + size <= settings.queueBytes() && count() + 1 <= settings.queueMessages();
  }

  private void add(ByteBuf buf, int size, Object conflationKey) {
    if (data == null) {
      data = new ArrayDeque<>(8);
    }
    data.addLast(buf);
    grow(size);
    if (conflationKey != null) {
      if (conflation == null) {
        conflation = new Conflation();
      }
      conflation.remember(conflationKey, buf);
    }
  }

  /** Takes a queued data message out of the queue, wherever it is, and releases it (conflation). */
  private void removeQueued(ByteBuf buf) {
    for (Iterator<ByteBuf> it = data.iterator(); it.hasNext(); ) {
      if (it.next() == buf) {
        it.remove();
        left(buf);
        buf.release();
        return;
      }
    }
  }

  /** A data message left the queue. */
  private void left(ByteBuf buf) {
    take(buf.readableBytes());
    if (conflation != null) {
      conflation.forget(buf);
    }
  }

  private void grow(int size) {
    bytes += size;
    server.counters().queuedBytes.add(size);
    server.budget().charge(MemoryBudget.Kind.OUTBOUND, size + (long) MemoryBudget.ENTRY_OVERHEAD);
  }

  private void take(int size) {
    bytes -= size;
    server.counters().queuedBytes.add(-size);
    server.budget().release(MemoryBudget.Kind.OUTBOUND, size + (long) MemoryBudget.ENTRY_OVERHEAD);
  }

  private void dropped(int n) {
    drops += n;
    lastDropped += n;
  }

  static int sizeOf(Object frame) {
    if (frame instanceof ByteBuf buf) {
      return buf.readableBytes();
    }
    if (frame instanceof ByteBufHolder holder) {
      return holder.content().readableBytes();
    }
    return 0;
  }
}
