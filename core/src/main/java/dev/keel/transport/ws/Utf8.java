package dev.keel.transport.ws;

/**
 * Strict UTF-8 (RFC 3629), as RFC 6455 §8.1 asks of every text message: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no sequence cut short. A pass over the bytes,
 * no allocation.
 */
final class Utf8 {
  private Utf8() {}

  static boolean isValid(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int min;
      int cp;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
        cp = c & 0x1F;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min = 0x800;
        cp = c & 0x0F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min = 0x10000;
        cp = c & 0x07;
      } else {
        return false; // a continuation byte first, 0xC0/0xC1 (always overlong), or 0xF5..0xFF
      }
      if (i + need >= n) {
        return false; // cut short at the end
      }
      for (int k = 1; k <= need; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xC0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
      i += need + 1;
    }
    return true;
  }
}
