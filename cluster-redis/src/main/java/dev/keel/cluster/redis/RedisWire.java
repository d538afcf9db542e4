package dev.keel.cluster.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What cluster mode writes to and reads from Redis, and nothing else: the Lua scripts, the keys and
 * channel of a topic, and the parser of a message that arrives on a channel. Pure (no Lettuce, no
 * I/O, no state), so that every rule of the format is unit-tested without a Redis.
 *
 * <p>A topic {@code NAME} has the channel {@code keel:topic:NAME}, the counter {@code keel:seq:NAME},
 * its history, a stream {@code keel:history:NAME} (entry id {@code SEQ-0}, fields {@code d}, the data,
 * and {@code t}, Redis's clock in ms when it was added), and its epoch {@code keel:epoch:NAME}; topic
 * names are ASCII ({@code dev.keel.api.TopicNames}), so they need no escaping. A message is
 * {@code "SEQ EPOCH DATA"}: the counter's new value in decimal, one space, the epoch, one space, then
 * the published bytes as they were (spaces included).
 *
 * <p>The epoch names one generation of the counter and the stream. Every script starts with
 * {@link #GENERATION}: when the epoch key or the counter is missing (Redis restarted without
 * persistence, FLUSHALL, eviction), it sets a new epoch (the node's candidate, unique), keeps or
 * creates the counter, and deletes the stream, whose messages no longer belong to the counter; the
 * floor script starts a new epoch too when it raises the counter (a hole in the stream). So every
 * node reports the same new epoch, and positions of the old one are refused.
 *
 * <p>Usage: {@code switch (RedisWire.parse(channel, message)) { case RedisWire.Message m -> ...; case
 * RedisWire.Rejected r -> ...; }}
 */
final class RedisWire {
  static final String CHANNEL_PREFIX = "keel:topic:";
  static final String SEQ_PREFIX = "keel:seq:";
  static final String HISTORY_PREFIX = "keel:history:";
  static final String EPOCH_PREFIX = "keel:epoch:";
  /** Longest epoch accepted on the wire (the protocol's {@code since} takes at most 64 characters). */
  static final int MAX_EPOCH = 64;

  /**
   * The prelude of every script: {@code generation(seq, stream, epoch, candidate)} returns the topic's
   * epoch, starting a new one when the epoch key or the counter is gone. TIME (in the publish and
   * recover scripts) is non-deterministic: scripts replicate their effects, not themselves.
   */
  static final String GENERATION = "if redis.replicate_commands then redis.replicate_commands() end "
      + "local function generation(seq, stream, epoch, candidate) "
      + "local e = redis.call('GET', epoch) "
      + "if e and redis.call('EXISTS', seq) == 1 then return e end "
      + "redis.call('SET', epoch, candidate) "
      + "if redis.call('EXISTS', seq) == 0 then redis.call('SET', seq, '0') end "
      + "redis.call('DEL', stream) "
      + "return candidate end ";

  /**
   * INCR, XADD (history on: {@code MAXLEN ~ ARGV[2]}, then PEXPIRE ARGV[3] ms) and PUBLISH as one step:
   * no other publish can take a seq between them, and the stream holds exactly what was published.
   * KEYS: counter, channel, stream, epoch; ARGV: data, history size, history TTL in ms, epoch candidate.
   * Returns the receivers.
   */
  static final String PUBLISH_SCRIPT = GENERATION
      + "local e = generation(KEYS[1], KEYS[3], KEYS[4], ARGV[4]) "
      + "local s = redis.call('INCR', KEYS[1]) "
      + "if tonumber(ARGV[2]) > 0 then "
      + "local t = redis.call('TIME') "
      + "redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], s .. '-0', 'd', ARGV[1], 't', "
      + "t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))) "
      + "redis.call('PEXPIRE', KEYS[3], ARGV[3]) end "
      + "return redis.call('PUBLISH', KEYS[2], s .. ' ' .. e .. ' ' .. ARGV[1])";

  /**
   * Raises a counter to at least ARGV[1], in a new epoch (ARGV[2]) when it does: a hole in the stream.
   * Run on reconnect with the last seq this node delivered, so that a Redis that lost its data
   * (restart without persistence) never hands out a seq again. KEYS: counter, stream, epoch.
   */
  static final String FLOOR_SCRIPT = GENERATION
      + "generation(KEYS[1], KEYS[2], KEYS[3], ARGV[2]) "
      + "local c = tonumber(redis.call('GET', KEYS[1])) "
      + "if c < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) redis.call('SET', KEYS[3], ARGV[2]) "
      + "redis.call('DEL', KEYS[2]) end return c";

  /**
   * A recovery's read: {@code {epoch, last seq, expired, seq, data, seq, data, ...}}, the kept messages
   * after ARGV[1] (XRANGE, at most ARGV[2]), none when ARGV[2] is 0, the client is not behind, or it is
   * more than ARGV[2] behind. {@code expired} is 1 when the stream is gone (PEXPIRE: nothing was
   * published for ARGV[3] ms) or its message right after ARGV[1] is older than ARGV[3] ms.
   * KEYS: counter, stream, epoch; ARGV: after, max, history TTL in ms, epoch candidate.
   */
  static final String RECOVER_SCRIPT = GENERATION
      + "local e = generation(KEYS[1], KEYS[2], KEYS[3], ARGV[4]) "
      + "local last = tonumber(redis.call('GET', KEYS[1])) "
      + "local after = tonumber(ARGV[1]) local max = tonumber(ARGV[2]) "
      + "local out = {e, last, 0} "
      + "if max == 0 or after >= last or last - after > max then return out end "
      + "if redis.call('EXISTS', KEYS[2]) == 0 then out[3] = 1 return out end "
      + "local t = redis.call('TIME') "
      + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
      + "local r = redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+', 'COUNT', max) "
      + "for i, m in ipairs(r) do "
      + "local seq = tonumber(string.match(m[1], '^(%d+)')) local d = nil local at = 0 "
      + "for j = 1, #m[2], 2 do if m[2][j] == 'd' then d = m[2][j + 1] elseif m[2][j] == 't' then at = tonumber(m[2][j + 1]) end end "
      + "if i == 1 and seq == after + 1 and now - at >= tonumber(ARGV[3]) then out[3] = 1 return out end "
      + "out[#out + 1] = seq out[#out + 1] = d end "
      + "return out";

  private static final byte[] CHANNEL_PREFIX_BYTES = ascii(CHANNEL_PREFIX);

  private RedisWire() {}

  /** What {@link #parse} makes of a message: one to deliver, or one to ignore. */
  sealed interface Incoming permits Message, Rejected {}

  /** A message for a local topic, with the seq Redis gave it and the epoch it belongs to. */
  record Message(String topic, long seq, String epoch, byte[] data) implements Incoming {}

  /** A message that is not ours to deliver: the channel (printable) and why. */
  record Rejected(String channel, String reason) implements Incoming {}

  /** {@code keel:topic:NAME}, the channel a topic's messages are published on. */
  static byte[] channel(String topic) {
    return ascii(CHANNEL_PREFIX + topic);
  }

  /** {@code keel:seq:NAME}, the counter that numbers a topic's messages. */
  static byte[] seqKey(String topic) {
    return ascii(SEQ_PREFIX + topic);
  }

  /** {@code keel:history:NAME}, the stream that keeps a topic's recent messages. */
  static byte[] historyKey(String topic) {
    return ascii(HISTORY_PREFIX + topic);
  }

  /** {@code keel:epoch:NAME}, the name of the topic's current generation. */
  static byte[] epochKey(String topic) {
    return ascii(EPOCH_PREFIX + topic);
  }

  /** KEYS for {@link #PUBLISH_SCRIPT}: the counter, the channel, the stream, the epoch. */
  static byte[][] publishKeys(String topic) {
    return new byte[][] {seqKey(topic), channel(topic), historyKey(topic), epochKey(topic)};
  }

  /** ARGV for {@link #PUBLISH_SCRIPT}. */
  static byte[][] publishArgs(byte[] data, int historySize, long ttlMillis, String candidate) {
    return new byte[][] {data, number(historySize), number(ttlMillis), ascii(candidate)};
  }

  /** KEYS for {@link #FLOOR_SCRIPT} and {@link #RECOVER_SCRIPT}: the counter, the stream, the epoch. */
  static byte[][] streamKeys(String topic) {
    return new byte[][] {seqKey(topic), historyKey(topic), epochKey(topic)};
  }

  /** ARGV for {@link #FLOOR_SCRIPT}: the lowest value the counter may have, and an epoch candidate. */
  static byte[][] floorArgs(long lastSeq, String candidate) {
    return new byte[][] {number(lastSeq), ascii(candidate)};
  }

  /** ARGV for {@link #RECOVER_SCRIPT}. */
  static byte[][] recoverArgs(long afterSeq, int max, long ttlMillis, String candidate) {
    return new byte[][] {number(afterSeq), number(max), number(ttlMillis), ascii(candidate)};
  }

  /**
   * Reads {@link #RECOVER_SCRIPT}'s answer (with Lettuce's byte-array codec: bulk strings as
   * {@code byte[]}, integers as {@code Long}), or throws IllegalArgumentException when it is not one.
   */
  static Read read(List<?> reply) {
    if (reply == null || reply.size() < 3 || reply.size() % 2 == 0 || !(reply.get(0) instanceof byte[] epoch)
        || !(reply.get(1) instanceof Long last) || !(reply.get(2) instanceof Long expired)) {
      throw new IllegalArgumentException("not an answer of the recover script: " + reply);
    }
    long[] seqs = new long[(reply.size() - 3) / 2];
    List<byte[]> data = new ArrayList<>(seqs.length);
    for (int i = 0; i < seqs.length; i++) {
      if (!(reply.get(3 + 2 * i) instanceof Long seq) || !(reply.get(4 + 2 * i) instanceof byte[] d)) {
        throw new IllegalArgumentException("not a kept message at " + i + ": " + reply.get(3 + 2 * i));
      }
      seqs[i] = seq;
      data.add(d);
    }
    return new Read(new String(epoch, StandardCharsets.US_ASCII), last, expired != 0, seqs, data);
  }

  /** {@link #RECOVER_SCRIPT}'s answer: kept messages {@code seqs[i]} with {@code data.get(i)}. */
  record Read(String epoch, long lastSeq, boolean expired, long[] seqs, List<byte[]> data) {}

  private static byte[] number(long n) {
    return ascii(Long.toString(n));
  }

  /**
   * The topic whose channel this is, or null when it is not one of ours: another prefix, no name
   * after the prefix, or a byte outside ASCII (no topic name has one, and decoding it would merge
   * different channels into one replacement character).
   */
  static String topic(byte[] channel) {
    int n = CHANNEL_PREFIX_BYTES.length;
    if (channel.length <= n || !Arrays.equals(channel, 0, n, CHANNEL_PREFIX_BYTES, 0, n)) {
      return null;
    }
    for (int i = n; i < channel.length; i++) {
      if (channel[i] < 0) {
        return null;
      }
    }
    return new String(channel, n, channel.length - n, StandardCharsets.US_ASCII);
  }

  /**
   * Reads a message that arrived on {@code channel}: a {@link Message} when the channel is a topic's
   * and the message is {@code "SEQ EPOCH DATA"} with SEQ a positive decimal that fits a long and EPOCH
   * 1 to 64 printable ASCII characters, else a {@link Rejected} saying which rule it broke.
   */
  static Incoming parse(byte[] channel, byte[] message) {
    String topic = topic(channel);
    if (topic == null) {
      return new Rejected(printable(channel), "not a topic channel (" + CHANNEL_PREFIX + "NAME, ASCII)");
    }
    int space = indexOf(message, (byte) ' ');
    if (space < 0) {
      return new Rejected(printable(channel), "no space between seq and data");
    }
    if (space == 0) {
      return new Rejected(printable(channel), "no seq before the space");
    }
    long seq = seq(message, space);
    if (seq <= 0) {
      return new Rejected(printable(channel), "seq is not a positive decimal that fits a long");
    }
    int second = indexOf(message, (byte) ' ', space + 1);
    if (second < 0) {
      return new Rejected(printable(channel), "no space between epoch and data");
    }
    if (second == space + 1 || second - space - 1 > MAX_EPOCH) {
      return new Rejected(printable(channel), "epoch is not 1 to " + MAX_EPOCH + " characters");
    }
    for (int i = space + 1; i < second; i++) {
      if (message[i] <= 0x20 || message[i] >= 0x7f) {
        return new Rejected(printable(channel), "epoch is not printable ASCII");
      }
    }
    String epoch = new String(message, space + 1, second - space - 1, StandardCharsets.US_ASCII);
    return new Message(topic, seq, epoch, Arrays.copyOfRange(message, second + 1, message.length));
  }

  /**
   * The decimal in {@code message[0, end)}, or -1 when it is not digits only (no sign: INCR never
   * writes one), is 0 (INCR starts at 1), or is above Long.MAX_VALUE.
   */
  private static long seq(byte[] message, int end) {
    long seq = 0;
    for (int i = 0; i < end; i++) {
      int digit = message[i] - '0';
      if (digit < 0 || digit > 9 || seq > (Long.MAX_VALUE - digit) / 10) {
        return -1;
      }
      seq = seq * 10 + digit;
    }
    return seq == 0 ? -1 : seq;
  }

  /** The channel for a log line: ASCII as it is, any other byte as {@code \xHH}. */
  private static String printable(byte[] channel) {
    StringBuilder s = new StringBuilder(channel.length);
    for (byte b : channel) {
      if (b >= 0x20 && b < 0x7f) {
        s.append((char) b);
      } else {
        s.append(String.format("\\x%02x", b & 0xff));
      }
    }
    return s.toString();
  }

  private static int indexOf(byte[] a, byte b) {
    return indexOf(a, b, 0);
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
