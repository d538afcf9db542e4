package dev.keel.transport.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Whether a connection's first bytes are a PROXY protocol header: v1 starts {@code PROXY }, v2 with a
 * fixed 12-byte signature. Decided from as few bytes as can tell: a first byte that starts neither
 * says no at once, so a client whose first message is short is never kept waiting.
 */
final class ProxySignature {
  enum Match { YES, NO, MORE }

  static final byte[] V1 = {'P', 'R', 'O', 'X', 'Y', ' '};
  static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  /** The most bytes it takes to tell. */
  static final int LONGEST = V2.length;

  private ProxySignature() {}

  /** Reads {@code in} from its reader index without moving it. */
  static Match match(ByteBuf in) {
    Match v1 = prefix(in, V1);
    Match v2 = prefix(in, V2);
    if (v1 == Match.YES || v2 == Match.YES) {
      return Match.YES;
    }
    return v1 == Match.NO && v2 == Match.NO ? Match.NO : Match.MORE;
  }

  private static Match prefix(ByteBuf in, byte[] signature) {
    int n = Math.min(in.readableBytes(), signature.length);
    int at = in.readerIndex();
    for (int i = 0; i < n; i++) {
      if (in.getByte(at + i) != signature[i]) {
        return Match.NO;
      }
    }
    return n == signature.length ? Match.YES : Match.MORE;
  }
}
