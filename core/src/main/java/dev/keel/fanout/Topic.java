package dev.keel.fanout;

import dev.keel.session.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One topic: its sequence counter and its subscribers, grouped by the event loop that owns them so
 * that a publish costs one task per event loop, not one per subscriber.
 *
 * <p>Guarded by its own monitor, held only to change the member sets or to take the next seq and
 * hand the message to the loops: assigning seq and enqueueing under one lock is what keeps every
 * subscriber's seq monotonic when several threads publish at once. With history on, the message is
 * kept under the same lock, so a subscription that recovers (also under it, on its own loop) sees
 * exactly the messages before the ones the loops will deliver to it.
 */
final class Topic {
  final String name;
  /** {@code {"op":"msg","topic":"NAME","seq":}}: the topic name needs no escaping (see dev.keel.api.TopicNames). */
  private final byte[] prefix;
  private long seq;
  private final List<Partition> partitions = new ArrayList<>(2);
  private int subscribers;
  /**
   * Which stream {@code seq} counts: a new one whenever this entry is made or its history is cut. In
   * cluster mode the relay's (Redis's), learnt from its messages and reads; null until then.
   */
  private String epoch;
  /** Null when history is off. */
  final History history;
  /** Set (under the monitor, inside the map's compute) when the entry leaves the registry. */
  boolean removed;
  /** Cluster mode: subscriptions waiting for the relay's read of the stream (they keep the entry alive). */
  final List<RelayRecovery.Pending> pending = new ArrayList<>(0);

  /** The subscribers owned by one event loop, with a snapshot array rebuilt lazily after changes. */
  static final class Partition {
    final EventLoop loop;
    final LinkedHashSet<Subscriber> members = new LinkedHashSet<>();
    Subscriber[] snapshot;

    Partition(EventLoop loop) {
      this.loop = loop;
    }

    Subscriber[] snapshot() {
      if (snapshot == null) {
        snapshot = members.toArray(new Subscriber[0]);
      }
      return snapshot;
    }
  }

  /** @param epoch the stream's epoch, null while unknown (cluster mode: until the relay says) */
  Topic(String name, History history, String epoch) {
    this.name = name;
    this.history = history;
    this.epoch = epoch;
    this.prefix = ("{\"op\":\"msg\",\"topic\":\"" + name + "\",\"seq\":").getBytes(StandardCharsets.US_ASCII);
  }

  /** Returns whether the session was added (false if it already was a member). */
  boolean add(Subscriber s) {
    Partition p = partition(s.eventLoop(), true);
    if (p.members.add(s)) {
      p.snapshot = null;
      subscribers++;
      return true;
    }
    return false;
  }

  boolean remove(Subscriber s) {
    Partition p = partition(s.eventLoop(), false);
    if (p == null || !p.members.remove(s)) {
      return false;
    }
    p.snapshot = null;
    subscribers--;
    if (p.members.isEmpty()) {
      partitions.remove(p);
    }
    return true;
  }

  boolean isEmpty() {
    return subscribers == 0;
  }

  /** No subscriber and no history left: the entry may leave the registry. */
  boolean removable() {
    return subscribers == 0 && pending.isEmpty() && (history == null || history.isEmpty());
  }

  String epoch() {
    return epoch;
  }

  /** Cluster mode: the relay's epoch for this stream. */
  void epoch(String relayEpoch) {
    epoch = relayEpoch;
  }

  /** History was cut in a way a client cannot see from seq alone: positions of the old stream stop recovering. */
  void newEpoch() {
    epoch = Epochs.next();
  }

  int subscribers() {
    return subscribers;
  }

  List<Partition> partitions() {
    return partitions;
  }

  long nextSeq() {
    return ++seq;
  }

  /** The seq of the last message handed to the loops (0 before the first). */
  long lastSeq() {
    return seq;
  }

  /**
   * Takes {@code given} (cluster mode: the seq Redis assigned) if it is past the last one; false for
   * a seq already delivered or older, which is dropped: subscribers never see a duplicate.
   */
  boolean advanceTo(long given) {
    if (given <= seq) {
      return false;
    }
    seq = given;
    return true;
  }

  /** Encodes {@code {"op":"msg","topic":T,"seq":N,"data":D}} once, for all recipients. */
  ByteBuf encode(ByteBufAllocator alloc, long seq, byte[] data) {
    byte[] seqDigits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
    int size = prefix.length + seqDigits.length + DATA_FIELD.length + data.length + 1;
    ByteBuf buf = alloc.directBuffer(size, size);
    buf.writeBytes(prefix).writeBytes(seqDigits).writeBytes(DATA_FIELD).writeBytes(data).writeByte('}');
    return buf;
  }

  private static final byte[] DATA_FIELD = ",\"data\":".getBytes(StandardCharsets.US_ASCII);

  /**
   * At most what {@link #encode} adds to a message's data, and a transport's frame header on top
   * (WebSocket: up to 10 bytes; framed TCP: 4): the queue bytes one replayed message can take beyond its data.
   */
  int envelopeBytes() {
    return prefix.length + 20 + DATA_FIELD.length + 1 + 10;
  }

  private Partition partition(EventLoop loop, boolean create) {
    for (Partition p : partitions) {
      if (p.loop == loop) {
        return p;
      }
    }
    if (!create) {
      return null;
    }
    Partition p = new Partition(loop);
    partitions.add(p);
    return p;
  }
}
