package dev.keel.load.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads the two numbers a subscriber needs from a {@code msg} without parsing its JSON: at 150,000
 * deliveries a second a parse per message would cost the load tool more than the server.
 */
public final class Frames {
  private static final byte[] MSG = "{\"op\":\"msg\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DUE = "\"due\":".getBytes(StandardCharsets.US_ASCII);
  // The fields sit near the front; a message longer than this is not scanned further.
  private static final int SCAN_LIMIT = 512;

  private Frames() {}

  /** Whether the JSON object starts with {@code {"op":"msg"}, as the server writes every message. */
  public static boolean isMsg(ByteBuf json) {
    return startsWith(json, json.readerIndex(), MSG);
  }

  /** The {@code seq} of a msg, or -1. */
  public static long seq(ByteBuf json) {
    return number(json, SEQ);
  }

  /** The {@code due} stamp (nanoTime) publishers put first in their data, or -1. */
  public static long due(ByteBuf json) {
    return number(json, DUE);
  }

  static long number(ByteBuf b, byte[] key) {
    int start = b.readerIndex();
    int end = Math.min(b.writerIndex(), start + SCAN_LIMIT) - key.length;
    for (int i = start; i <= end; i++) {
      if (b.getByte(i) == key[0] && startsWith(b, i, key)) {
        int j = i + key.length;
        long v = 0;
        int digits = 0;
        boolean negative = j < b.writerIndex() && b.getByte(j) == '-';
        if (negative) {
          j++;
        }
        while (j < b.writerIndex() && digits < 19) {
          byte c = b.getByte(j);
          if (c < '0' || c > '9') {
            break;
          }
          v = v * 10 + (c - '0');
          digits++;
          j++;
        }
        return digits == 0 ? -1 : negative ? -v : v;
      }
    }
    return -1;
  }

  private static boolean startsWith(ByteBuf b, int at, byte[] prefix) {
    if (b.writerIndex() - at < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b.getByte(at + k) != prefix[k]) {
        return false;
      }
    }
    return true;
  }
}
