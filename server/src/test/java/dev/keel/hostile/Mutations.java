package dev.keel.hostile;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutated valid inputs, as a coverage-blind fuzzer makes them: from a valid seed, a few random edits
 * (a bit flipped, a byte set to an interesting value, bytes inserted, a range deleted or repeated, the
 * end cut off, a splice with another seed). Deterministic for a given random seed, so jqwik can report
 * and replay a failing case.
 */
final class Mutations {
  private static final byte[] INTERESTING = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, '\r', '\n', ':', ' ',
      '{', '}', '"', '\\', '0', '9', '-', 'e', '.'};

  private Mutations() {}

  static byte[] mutate(List<byte[]> seeds, long randomSeed, int edits) {
    SplittableRandom r = new SplittableRandom(randomSeed);
    byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
    for (int i = 0; i < edits; i++) {
      b = edit(b, seeds, r);
    }
    return b;
  }

  private static byte[] edit(byte[] b, List<byte[]> seeds, SplittableRandom r) {
    if (b.length == 0) {
      return seeds.get(r.nextInt(seeds.size())).clone();
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(8)) {
      case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
      case 1 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
      case 2 -> {
        byte[] extra = new byte[1 + r.nextInt(16)];
        r.nextBytes(extra);
        return concat(Arrays.copyOfRange(b, 0, at), extra, Arrays.copyOfRange(b, at, b.length));
      }
      case 3 -> {
        int end = Math.min(b.length, at + 1 + r.nextInt(16));
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, end, b.length));
      }
      case 4 -> {
        int end = Math.min(b.length, at + 1 + r.nextInt(64));
        byte[] range = Arrays.copyOfRange(b, at, end);
        byte[] repeated = new byte[range.length * (2 + r.nextInt(8))];
        for (int k = 0; k < repeated.length; k += range.length) {
          System.arraycopy(range, 0, repeated, k, range.length);
        }
        return concat(Arrays.copyOfRange(b, 0, at), repeated, Arrays.copyOfRange(b, end, b.length));
      }
      case 5 -> {
        return Arrays.copyOf(b, at);
      }
      case 6 -> {
        byte[] other = seeds.get(r.nextInt(seeds.size()));
        int from = other.length == 0 ? 0 : r.nextInt(other.length);
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(other, from, other.length));
      }
      default -> {
        // a decimal number somewhere: lengths and sizes are where parsers break
        byte[] digits = Long.toString(r.nextBoolean() ? r.nextLong() : r.nextInt(100_000)).getBytes();
        return concat(Arrays.copyOfRange(b, 0, at), digits, Arrays.copyOfRange(b, at, b.length));
      }
    }
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
