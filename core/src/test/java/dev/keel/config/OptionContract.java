package dev.keel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What every option declaration must keep, checked generically over a whole {@link OptionSet}, so a
 * new option is covered the moment it is declared: a description; a default that validates; text
 * written by {@code write} that parses back to the same value, for the default and for a value that
 * differs from it; {@code toBuilder} carrying that value; a value past its range refused naming the
 * option. Used by each module's own test of its set.
 */
public final class OptionContract {
  private OptionContract() {}

  public static void check(OptionSet set) {
    Set<String> keys = new HashSet<>();
    for (Option<?> o : set.options()) {
      assertThat(keys.add(o.key())).as("%s declared once in %s", o.key(), set.name()).isTrue();
      assertThat(o.description()).as("%s has a description", o.key()).isNotBlank();
      assertThat(o.owner()).as("%s knows its set", o.key()).isSameAs(set);
      roundTrips(set, o);
    }
    assertThat(KeelConfig.builder(set).build()).as("%s's defaults build", set.name()).isNotNull();
  }

  private static <T> void roundTrips(OptionSet set, Option<T> o) {
    T dflt = o.defaultValue();
    assertThat(o.parse(o.write(dflt))).as("--%s default written as '%s' reads back", o.key(), o.write(dflt))
        .isEqualTo(dflt);
    T other = otherValue(o);
    if (other == null) {
      return; // files and secrets: covered by their own tests
    }
    KeelConfig c;
    try {
      c = KeelConfig.builder(set).set(o, other).build();
    } catch (IllegalArgumentException e) {
      return; // a value whose validity depends on another option (a rule): covered by its own test
    }
    assertThat(c.get(o)).as("--%s set", o.key()).isEqualTo(other);
    assertThat(o.parse(o.write(other))).as("--%s '%s' reads back", o.key(), o.write(other)).isEqualTo(other);
    assertThat(c.toBuilder().build().get(o)).as("toBuilder keeps --%s", o.key()).isEqualTo(other);
    assertThat(c.toBuilder().build()).as("toBuilder().build() equals the config (--%s set)", o.key()).isEqualTo(c);
  }

  /** A valid value other than the default, or null where none can be made up generically. */
  @SuppressWarnings("unchecked")
  private static <T> T otherValue(Option<T> o) {
    Object d = o.defaultValue();
    String label = o.label();
    if (d instanceof Duration dur) {
      return (T) (dur.isZero() ? Duration.ofSeconds(3) : dur.plusMillis(1500));
    }
    if (d instanceof Integer i) {
      if (label.equals("PORT")) {
        return (T) Integer.valueOf(i == 0 ? 1 : 0);
      }
      return (T) Integer.valueOf(label.equals("SIZE") ? (i == 0 ? 2048 : i * 2) : i + 1);
    }
    if (d instanceof Long l) {
      return (T) Long.valueOf(l * 2 + 1024);
    }
    if (d instanceof Boolean b) {
      return (T) Boolean.valueOf(!b);
    }
    if (d instanceof List<?>) {
      return (T) List.of("https://a.example", "https://b.example");
    }
    if (d instanceof Enum<?> e) {
      Object[] all = e.getDeclaringClass().getEnumConstants();
      return (T) all[(e.ordinal() + 1) % all.length];
    }
    return null;
  }

  /** {@code set} refuses a value below or above the option's range, naming the option. */
  public static <T> void refuses(OptionSet set, Option<T> o, T bad) {
    assertThatThrownBy(() -> KeelConfig.builder(set).set(o, bad).build())
        .as("--%s %s", o.key(), bad)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: ")
        .hasMessageContaining(o.key());
  }
}
