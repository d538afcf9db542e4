package dev.keel.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * Reads the two numbers a subscriber needs from a {@code msg} without parsing its JSON: at 150,000
 * deliveries a second a parse per message would cost the load tool more than the server. The head
 * of the message is copied once into a per-thread array and scanned there (byte-by-byte reads of a
 * leak-tracked buffer would record a stack trace each under paranoid leak detection).
 */
public final class Frames {
  private static final byte[] MSG = "{\"op\":\"msg\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DUE = "\"due\":".getBytes(StandardCharsets.US_ASCII);
  // The fields sit near the front (a topic is at most 128 characters); nothing past this is scanned.
  static final int SCAN_LIMIT = 512;
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[SCAN_LIMIT];
    }
  };

  private Frames() {}

  /** The head of a message, copied: scan it with {@link #isMsg}, {@link #seq}, {@link #due}. */
  public record Head(byte[] bytes, int length) {}

  /** Copies the first bytes of {@code json} into this thread's scratch array (valid until the next call). */
  public static Head head(ByteBuf json) {
    byte[] a = SCRATCH.get();
    int n = Math.min(json.readableBytes(), SCAN_LIMIT);
    json.getBytes(json.readerIndex(), a, 0, n);
    return new Head(a, n);
  }

  /** Whether the JSON object starts with <code>{"op":"msg"</code>, as the server writes every message. */
  public static boolean isMsg(Head h) {
    return startsWith(h, 0, MSG);
  }

  /** The {@code seq} of a msg, or -1. */
  public static long seq(Head h) {
    return number(h, SEQ);
  }

  /** The {@code due} stamp (nanoTime) publishers put first in their data, or -1. */
  public static long due(Head h) {
    return number(h, DUE);
  }

  static long number(Head h, byte[] key) {
    byte[] a = h.bytes();
    int len = h.length();
    for (int i = 0; i <= len - key.length; i++) {
      if (a[i] == key[0] && startsWith(h, i, key)) {
        int j = i + key.length;
        boolean negative = j < len && a[j] == '-';
        if (negative) {
          j++;
        }
        long v = 0;
        int digits = 0;
        while (j < len && digits < 19 && a[j] >= '0' && a[j] <= '9') {
          v = v * 10 + (a[j] - '0');
          digits++;
          j++;
        }
        return digits == 0 ? -1 : negative ? -v : v;
      }
    }
    return -1;
  }

  private static boolean startsWith(Head h, int at, byte[] prefix) {
    if (h.length() - at < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (h.bytes()[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }
}
