package dev.keel.cluster.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What cluster mode writes to and reads from Redis, and nothing else: the two Lua scripts, the key
 * and channel of a topic, and the parser of a message that arrives on a channel. Pure (no Lettuce,
 * no I/O, no state), so that every rule of the format is unit-tested without a Redis.
 *
 * <p>A topic {@code NAME} has the channel {@code keel:topic:NAME} and the counter
 * {@code keel:seq:NAME}; topic names are ASCII ({@code dev.keel.api.TopicNames}), so they need no
 * escaping. A message is {@code "SEQ DATA"}: the counter's new value in decimal, one space, then the
 * published bytes as they were (spaces included).
 *
 * <p>Usage: {@code switch (RedisWire.parse(channel, message)) { case RedisWire.Message m -> ...; case
 * RedisWire.Rejected r -> ...; }}
 */
final class RedisWire {
  static final String CHANNEL_PREFIX = "keel:topic:";
  static final String SEQ_PREFIX = "keel:seq:";
  /** INCR and PUBLISH as one step: no other publish can take a seq between them. Returns receivers. */
  static final String PUBLISH_SCRIPT =
      "local s = redis.call('INCR', KEYS[1]) return redis.call('PUBLISH', KEYS[2], s .. ' ' .. ARGV[1])";
  /**
   * Raises a counter to at least ARGV[1]. Run on reconnect with the last seq this node delivered, so
   * that a Redis that lost its data (restart without persistence) never hands out a seq again.
   */
  static final String FLOOR_SCRIPT = "local c = tonumber(redis.call('GET', KEYS[1]) or '0') "
      + "if c < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end return c";

  private static final byte[] CHANNEL_PREFIX_BYTES = ascii(CHANNEL_PREFIX);

  private RedisWire() {}

  /** What {@link #parse} makes of a message: one to deliver, or one to ignore. */
  sealed interface Incoming permits Message, Rejected {}

  /** A message for a local topic, with the seq Redis gave it. */
  record Message(String topic, long seq, byte[] data) implements Incoming {}

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

  /** KEYS for {@link #PUBLISH_SCRIPT}: the counter, then the channel. */
  static byte[][] publishKeys(String topic) {
    return new byte[][] {seqKey(topic), channel(topic)};
  }

  /** KEYS for {@link #FLOOR_SCRIPT}: the counter. */
  static byte[][] floorKeys(String topic) {
    return new byte[][] {seqKey(topic)};
  }

  /** ARGV for {@link #FLOOR_SCRIPT}: the lowest value the counter may have. */
  static byte[] floorArg(long lastSeq) {
    return ascii(Long.toString(lastSeq));
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
   * and the message is {@code "SEQ DATA"} with SEQ a positive decimal that fits a long, else a
   * {@link Rejected} saying which rule it broke.
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
    return new Message(topic, seq, Arrays.copyOfRange(message, space + 1, message.length));
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
    for (int i = 0; i < a.length; i++) {
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
