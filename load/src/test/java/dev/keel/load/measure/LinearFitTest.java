package dev.keel.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LinearFitTest {

  @Test
  void fit_exactLine_givesItsSlopeAndInterceptWithR2One() {
    double[] xs = {0, 1, 2, 3, 4};
    double[] ys = {10, 13, 16, 19, 22};
    LinearFit f = LinearFit.of(xs, ys);
    assertThat(f.slope()).isCloseTo(3.0, within(1e-9));
    assertThat(f.intercept()).isCloseTo(10.0, within(1e-9));
    assertThat(f.r2()).isCloseTo(1.0, within(1e-9));
    assertThat(f.points()).isEqualTo(5);
  }

  @Test
  void fit_flatSeries_givesSlopeZero() {
    LinearFit f = LinearFit.of(new double[] {0, 1, 2, 3}, new double[] {7, 7, 7, 7});
    assertThat(f.slope()).isZero();
    assertThat(f.intercept()).isEqualTo(7.0);
  }

  @Test
  void fit_noiseAroundARisingLine_recoversTheSlope() {
    int n = 600;
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = i;
      ys[i] = 1000 + 50.0 * i + (i % 2 == 0 ? 400 : -400); // alternating noise far above the step
    }
    LinearFit f = LinearFit.of(xs, ys);
    assertThat(f.slope()).as("slope through +-400 noise").isCloseTo(50.0, within(0.1));
  }

  @Test
  void fit_sawtoothWithoutTrend_hasNoSlope() {
    // A GC sawtooth: rises and falls back, many times over; the fit must not read it as growth.
    int n = 1000;
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = i;
      ys[i] = 100 + (i % 100);
    }
    assertThat(LinearFit.of(xs, ys).slope()).isCloseTo(0.0, within(0.01));
  }

  @Test
  void fit_fewerThanTwoPointsOrOneX_givesSlopeZero() {
    assertThat(LinearFit.of(new double[0], new double[0]).slope()).isZero();
    assertThat(LinearFit.of(new double[] {1}, new double[] {5}).intercept()).isEqualTo(5.0);
    assertThat(LinearFit.of(new double[] {2, 2, 2}, new double[] {1, 5, 9}).slope()).isZero();
  }

  @Test
  void fit_lengthsDiffer_isRefused() {
    assertThatThrownBy(() -> LinearFit.of(new double[] {1, 2}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
  }
}
