package dev.keel.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the human units that options are written in: sizes ({@code 512B}, {@code 64KiB}, {@code 1MiB})
 * and durations ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}).
 *
 * <p>Usage: {@code long bytes = Units.parseSize("64KiB");}
 */
public final class Units {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|kb|k|mib|mb|m|gib|gb|g)?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private Units() {}

  /**
   * Bytes in {@code text}; binary multiples (KiB = 1024). The unit is required ({@code 512B}), but for
   * a bare {@code 0}: a bare number is an error, so that {@code 64} is never taken for 64 bytes when
   * 64 KiB was meant.
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size: write a number of bytes or use KiB, MiB, GiB (e.g. 64KiB)");
    }
    long n = parseNumber(text, m.group(1));
    if (m.group(2) == null && n != 0) {
      throw new IllegalArgumentException("'" + text + "' has no unit: write " + n + "B, " + n + "KiB or " + n + "MiB");
    }
    String unit = m.group(2) == null ? "b" : m.group(2);
    long scale = switch (unit) {
      case "b" -> 1L;
      case "kib", "kb", "k" -> 1024L;
      case "mib", "mb", "m" -> 1024L * 1024;
      default -> 1024L * 1024 * 1024;
    };
    try {
      return Math.multiplyExact(n, scale);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too large", e);
    }
  }

  /**
   * The duration in {@code text}. The unit is required but for a bare {@code 0}: {@code 10} is an
   * error that suggests {@code 10s}, never 10 milliseconds by surprise.
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: use ms, s, m, h or d (e.g. 500ms, 10s, 2m)");
    }
    long n = parseNumber(text, m.group(1));
    if (m.group(2) == null && n != 0) {
      throw new IllegalArgumentException("'" + text + "' has no unit: write " + n + "s (or " + n + "ms, " + n + "m)");
    }
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static long parseNumber(String text, String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large", e);
    }
  }

  /** Writes {@code bytes} back in the largest binary unit that divides it. */
  public static String formatSize(long bytes) {
    if (bytes != 0 && bytes % (1024L * 1024 * 1024) == 0) {
      return bytes / (1024L * 1024 * 1024) + "GiB";
    }
    if (bytes != 0 && bytes % (1024L * 1024) == 0) {
      return bytes / (1024L * 1024) + "MiB";
    }
    if (bytes != 0 && bytes % 1024 == 0) {
      return bytes / 1024 + "KiB";
    }
    return bytes + "B";
  }

  /** Writes {@code d} back in the largest unit that divides it. */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms != 0 && ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
