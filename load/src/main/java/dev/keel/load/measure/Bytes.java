package dev.keel.load.measure;

/** Human-readable byte counts: 512 B, 3.5 KiB, 12.0 MiB. */
public final class Bytes {
  private Bytes() {}

  public static String human(double bytes) {
    double a = Math.abs(bytes);
    String sign = bytes < 0 ? "-" : "";
    if (a < 1024) {
      return String.format("%s%.0f B", sign, a);
    }
    if (a < 1024 * 1024) {
      return String.format("%s%.1f KiB", sign, a / 1024);
    }
    if (a < 1024.0 * 1024 * 1024) {
      return String.format("%s%.1f MiB", sign, a / (1024 * 1024));
    }
    return String.format("%s%.2f GiB", sign, a / (1024.0 * 1024 * 1024));
  }
}
