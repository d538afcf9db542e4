package dev.keel.load.measure;

/**
 * Least-squares line through points: how fast a figure grows over a run.
 *
 * <p>Usage: {@code LinearFit f = LinearFit.of(seconds, heapBytes); f.slope() * 60} is bytes per minute.
 */
public record LinearFit(double slope, double intercept, double r2, int points) {

  /** Fits y = slope * x + intercept. Fewer than two points, or all x equal, give slope 0. */
  public static LinearFit of(double[] xs, double[] ys) {
    if (xs.length != ys.length) {
      throw new IllegalArgumentException("xs and ys differ in length: " + xs.length + " vs " + ys.length);
    }
    int n = xs.length;
    if (n < 2) {
      return new LinearFit(0, n == 1 ? ys[0] : 0, 0, n);
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += xs[i];
      my += ys[i];
    }
    mx /= n;
    my /= n;
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = xs[i] - mx;
      double dy = ys[i] - my;
      sxx += dx * dx;
      sxy += dx * dy;
      syy += dy * dy;
    }
    if (sxx == 0) {
      return new LinearFit(0, my, 0, n);
    }
    double slope = sxy / sxx;
    double r2 = syy == 0 ? 1 : (sxy * sxy) / (sxx * syy);
    return new LinearFit(slope, my - slope * mx, r2, n);
  }
}
