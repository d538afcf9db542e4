package dev.keel.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
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
 */
final class Outbound {
  /** What {@link #offerData} did. */
  enum Offer { QUEUED, QUEUED_AFTER_DROPPING, DROPPED, FULL }

  /** The bounds and the policy (one reference, not three fields: there is one of these per connection). */
  private final SessionSettings settings;
  private final LongAdder globalQueuedBytes;
  /**
   * Queued data messages whose writing a caller waits for, by their sequence number in the queue,
   * oldest first; null until the first.
   */
  private ArrayDeque<Tracked> tracked;
  private long messagesOut;
  /** Ticker time of the last write; 0 before the first. */
  private long lastWriteNanos;

  /** @param written completed when written, dropped or closed */
  private record Tracked(long seq, CompletableFuture<SendOutcome> written) {}
  // Made on first use and kept: an idle connection (most of them, most of the time) pays for neither.
  private ArrayDeque<Object> control;
  private ArrayDeque<ByteBuf> data;
  private long bytes;
  private long drops;
  /** How many data messages the last {@link #offerData} call dropped. */
  private int lastDropped;
  /** Data messages ever added, and ever removed from the head (written, dropped or released). */
  private long dataAdded;
  private long dataRemoved;

  Outbound(SessionSettings settings, LongAdder globalQueuedBytes) {
    this.settings = settings;
    this.globalQueuedBytes = globalQueuedBytes;
  }

  /**
   * Queues a data payload shared with other recipients: on success the queue holds its own
   * retained duplicate (same memory, own indices); the caller keeps its reference either way.
   */
  Offer offerData(ByteBuf shared) {
    lastDropped = 0;
    int size = shared.readableBytes();
    if (fits(size)) {
      add(shared.retainedDuplicate(), size);
      return Offer.QUEUED;
    }
    switch (settings.slowConsumerPolicy()) {
      case DISCONNECT:
        return Offer.FULL;
      case DROP_NEWEST:
        dropped(1);
        return Offer.DROPPED;
      case DROP_OLDEST:
      default:
        if (size > settings.queueBytes()) {
          dropped(1); // can never fit, whatever is dropped
          return Offer.DROPPED;
        }
        while (!fits(size) && data != null && !data.isEmpty()) {
          ByteBuf old = data.pollFirst();
          dataRemoved++;
          take(old.readableBytes());
          old.release();
          dropped(1);
        }
        if (!fits(size)) {
          // Control frames alone fill the queue; they cannot be dropped, so this message is.
          dropped(1);
          return Offer.DROPPED;
        }
        add(shared.retainedDuplicate(), size);
        return Offer.QUEUED_AFTER_DROPPING;
    }
  }

  /**
   * Queues a control frame, taking ownership. Returns false, having released it, if the queue
   * already holds the bound: the peer is not reading, and the caller must close the connection.
   */
  boolean offerControl(Object frame) {
    int size = sizeOf(frame);
    if (bytes + size > 2L * settings.queueBytes() || count() + 1 > 2L * settings.queueMessages()) {
      // Control may overdraw the data bound up to twice over, never more.
      ReferenceCountUtil.release(frame);
      return false;
    }
    if (control == null) {
      control = new ArrayDeque<>(4);
    }
    control.addLast(frame);
    bytes += size;
    globalQueuedBytes.add(size);
    return true;
  }

  Object pollControl() {
    Object frame = control == null ? null : control.pollFirst();
    if (frame != null) {
      take(sizeOf(frame));
    }
    return frame;
  }

  ByteBuf pollData() {
    ByteBuf buf = data == null ? null : data.pollFirst();
    if (buf != null) {
      dataRemoved++;
      take(buf.readableBytes());
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
      dataRemoved++;
      take(buf.readableBytes());
      buf.release();
    }
  }

  /** Releases everything still queued. */
  void releaseAll() {
    releaseData();
    if (control == null) {
      return;
    }
    Object frame;
    while ((frame = control.pollFirst()) != null) {
      take(sizeOf(frame));
      ReferenceCountUtil.release(frame);
    }
  }

  /**
   * Queues a data frame under the policy (see {@link #offerData}) and says what became of it:
   * {@code CLOSED} means full under the disconnect policy, which the caller answers by closing.
   * Waiters of messages the policy dropped to make room are told so.
   */
  SendOutcome offer(ByteBuf shared, LongAdder droppedCounter) {
    switch (offerData(shared)) {
      case QUEUED:
        return SendOutcome.QUEUED;
      case QUEUED_AFTER_DROPPING:
        droppedCounter.add(lastDropped);
        failLost(SendOutcome.DROPPED);
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
    tracked.addLast(new Tracked(tailSeq(), written));
  }

  /** Tells the waiters of messages that left the queue unwritten (dropped or released) why. */
  void failLost(SendOutcome why) {
    Tracked t;
    while (tracked != null && (t = tracked.peekFirst()) != null && t.seq() < headSeq()) {
      tracked.pollFirst();
      t.written().complete(why);
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
    boolean wrote = false;
    while (channel.isWritable()) {
      Object frame = pollControl();
      CompletableFuture<SendOutcome> written = null;
      if (frame == null) {
        long seq = headSeq();
        ByteBuf data = pollData();
        if (data == null) {
          break;
        }
        Tracked t = tracked != null && !tracked.isEmpty() && tracked.peekFirst().seq() == seq
            ? tracked.pollFirst() : null;
        frame = data; // already a whole frame (Wire#dataFrame): it passes any encoder untouched
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
    }
    return wrote;
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
    return (control == null || control.isEmpty()) && (data == null || data.isEmpty());
  }

  boolean hasData() {
    return data != null && !data.isEmpty();
  }

  long bytes() {
    return bytes;
  }

  int count() {
    return (control == null ? 0 : control.size()) + (data == null ? 0 : data.size());
  }

  /** Data messages dropped by policy over this queue's life. */
  long drops() {
    return drops;
  }

  int lastDropped() {
    return lastDropped;
  }

  private boolean fits(int size) {
    return bytes + size <= settings.queueBytes() && count() + 1 <= settings.queueMessages();
  }

  /**
   * The sequence number of the data message at the head (the next {@link #pollData}): data
   * messages are numbered from 0 in the order they were queued.
   */
  long headSeq() {
    return dataRemoved;
  }

  /** The sequence number of the data message queued last. */
  long tailSeq() {
    return dataAdded - 1;
  }

  private void add(ByteBuf buf, int size) {
    dataAdded++;
    if (data == null) {
      data = new ArrayDeque<>(8);
    }
    data.addLast(buf);
    bytes += size;
    globalQueuedBytes.add(size);
  }

  private void take(int size) {
    bytes -= size;
    globalQueuedBytes.add(-size);
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
