package dev.keel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
      "512b, 512",
      "512b, 512",
      "64KiB, 65536",
      "64kb, 65536",
      "64k, 65536",
      "1MiB, 1048576",
      "1mb, 1048576",
      "2GiB, 2147483648",
      "' 16 KiB ', 16384",
      "512B, 512",
      "0, 0"
  })
  void parseSize_numberAndBinaryUnit_bytes(String text, long bytes) {
    assertThat(Units.parseSize(text)).as("parseSize(\"%s\")", text).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "{0} is not a size")
  @ValueSource(strings = {"", "abc", "-1", "1.5MiB", "10TiB", "KiB", "64 KiB extra"})
  void parseSize_badInput_failsNamingTheTextAndTheUnits(String text) {
    assertThatThrownBy(() -> Units.parseSize(text))
        .as("parseSize(\"%s\")", text)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "' is not a size")
        .hasMessageContaining("KiB, MiB, GiB");
  }

  @Test
  void parseSize_overflow_failsInsteadOfWrapping() {
    assertThatThrownBy(() -> Units.parseSize("99999999999999GiB"))
        .as("a size that overflows a long must not wrap to a small or negative value")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
      "500ms, 500",
      "10s, 10000",
      "2m, 120000",
      "1h, 3600000",
      "2d, 172800000",
      "0, 0",
      "' 3 S ', 3000"
  })
  void parseDuration_numberAndUnit_duration(String text, long millis) {
    assertThat(Units.parseDuration(text)).as("parseDuration(\"%s\")", text)
        .isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "{0} is not a duration")
  @ValueSource(strings = {"", "soon", "-5s", "1.5s", "10w", "s", "10 s s"})
  void parseDuration_badInput_failsNamingTheTextAndTheUnits(String text) {
    assertThatThrownBy(() -> Units.parseDuration(text))
        .as("parseDuration(\"%s\")", text)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "' is not a duration")
        .hasMessageContaining("ms, s, m, h or d");
  }

  @ParameterizedTest(name = "{0} needs a unit")
  @ValueSource(strings = {"10", "250", "1"})
  void parseDuration_bareNumber_isRefusedSuggestingSeconds(String text) {
    assertThatThrownBy(() -> Units.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' has no unit: write " + text + "s (or " + text + "ms, " + text + "m)");
  }

  @ParameterizedTest(name = "{0} needs a unit")
  @ValueSource(strings = {"64", "1048576"})
  void parseSize_bareNumber_isRefused(String text) {
    assertThatThrownBy(() -> Units.parseSize(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "' has no unit");
  }

  @ParameterizedTest(name = "{0} bytes is written {1}")
  @CsvSource({"512, 512B", "65536, 64KiB", "1048576, 1MiB", "1073741824, 1GiB", "1536, 1536B", "0, 0B"})
  void formatSize_largestDividingUnit(long bytes, String text) {
    assertThat(Units.formatSize(bytes)).as("formatSize(%d)", bytes).isEqualTo(text);
    assertThat(Units.parseSize(Units.formatSize(bytes))).as("formatSize(%d) parses back", bytes)
        .isEqualTo(bytes);
  }

  @ParameterizedTest(name = "{0} ms is written {1}")
  @CsvSource({"500, 500ms", "10000, 10s", "120000, 2m", "3600000, 1h", "1500, 1500ms", "0, 0ms"})
  void formatDuration_largestDividingUnit(long millis, String text) {
    Duration d = Duration.ofMillis(millis);
    assertThat(Units.formatDuration(d)).as("formatDuration(%s)", d).isEqualTo(text);
    assertThat(Units.parseDuration(Units.formatDuration(d))).as("formatDuration(%s) parses back", d)
        .isEqualTo(d);
  }
}
