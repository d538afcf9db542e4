package dev.keel.load.report;

import dev.keel.load.measure.Bytes;
import java.util.List;
import java.util.Locale;

/**
 * Line charts as inline SVG: the HTML report needs no script and fetches nothing.
 *
 * <p>Usage: {@code Svg.chart("Connections", Unit.COUNT, List.of(new Series("client", "#1f77b4", xs, ys)))}.
 */
final class Svg {
  static final int WIDTH = 900;
  static final int HEIGHT = 260;
  private static final int LEFT = 80;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  enum Unit { BYTES, MS, COUNT, PER_SECOND }

  /** One line; a null y is a gap in the line (no figure at that time). */
  record Series(String name, String color, double[] xs, Double[] ys) {}

  private Svg() {}

  static String chart(String title, Unit unit, List<Series> series) {
    double xMax = 1;
    double yMax = 0;
    boolean any = false;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        xMax = Math.max(xMax, s.xs()[i]);
        if (s.ys()[i] != null) {
          yMax = Math.max(yMax, s.ys()[i]);
          any = true;
        }
      }
    }
    yMax = niceCeiling(yMax == 0 ? 1 : yMax * 1.05);
    xMax = niceCeiling(xMax);
    int w = WIDTH - LEFT - RIGHT;
    int h = HEIGHT - TOP - BOTTOM;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    b.append("<title>").append(Html.escape(title)).append("</title>");
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"t\">%s</text>", LEFT, Html.escape(title)));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double y = TOP + h - h * i / 4.0;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"g\"/>", LEFT, y, LEFT + w, y));
      b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%s</text>", LEFT - 6, y + 4,
          Html.escape(label(v, unit))));
    }
    for (int i = 0; i <= 5; i++) {
      double v = xMax * i / 5;
      double x = LEFT + w * i / 5.0;
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s s</text>", x, TOP + h + 16,
          formatNumber(v)));
    }
    b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"a\"/>", LEFT, TOP + h, LEFT + w, TOP + h));
    b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"a\"/>", LEFT, TOP, LEFT, TOP + h));
    if (!any) {
      b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"na\">no figures for this chart</text>",
          LEFT + w / 2, TOP + h / 2));
    }
    int legendX = LEFT + 10;
    for (Series s : series) {
      b.append(path(s, xMax, yMax, w, h));
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>",
          legendX, TOP + h + 28, s.color()));
      b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"lg\">%s</text>", legendX + 16, TOP + h + 33,
          Html.escape(s.name())));
      legendX += 30 + 7 * s.name().length();
    }
    return b.append("</svg>").toString();
  }

  private static String path(Series s, double xMax, double yMax, int w, int h) {
    StringBuilder d = new StringBuilder();
    boolean pen = false;
    for (int i = 0; i < s.xs().length; i++) {
      Double y = s.ys()[i];
      if (y == null) {
        pen = false;
        continue;
      }
      double px = LEFT + w * s.xs()[i] / xMax;
      double py = TOP + h - h * y / yMax;
      d.append(pen ? 'L' : 'M').append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      pen = true;
    }
    if (d.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"/>", d.toString().trim(),
        s.color());
  }

  /** 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten, at or above {@code v}: axes that end near the data. */
  static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static String label(double v, Unit unit) {
    return switch (unit) {
      case BYTES -> Bytes.human(v);
      case MS -> formatNumber(v) + " ms";
      case COUNT -> formatNumber(v);
      case PER_SECOND -> formatNumber(v) + "/s";
    };
  }

  static String formatNumber(double v) {
    if (v >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", v / 1_000_000);
    }
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    if (v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
  }
}
