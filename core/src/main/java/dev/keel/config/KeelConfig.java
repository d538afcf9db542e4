package dev.keel.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every bound and listener of a Keel server: the values of the {@link Option}s of one or more
 * {@link OptionSet}s ({@link CoreOptions} always). Immutable; {@link Builder#build()} validates each
 * value against its declaration and the sets' rules, and fails fast naming every bad value at once.
 *
 * <p>Usage:
 * <pre>{@code
 * KeelConfig c = KeelConfig.builder()
 *     .set(CoreOptions.WS_PORT, 0)
 *     .set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(2))
 *     .build();
 * Duration idle = c.get(CoreOptions.IDLE_TIMEOUT);
 * }</pre>
 */
public final class KeelConfig {
  private final Map<Option<?>, Object> values;
  private final List<OptionSet> sets;

  private KeelConfig(Map<Option<?>, Object> values, List<OptionSet> sets) {
    this.values = values;
    this.sets = sets;
  }

  /** A builder over the core options and, for the command line and YAML, {@code more} sets. */
  public static Builder builder(OptionSet... more) {
    Builder b = new Builder();
    b.include(CoreOptions.SET);
    for (OptionSet s : more) {
      b.include(s);
    }
    return b;
  }

  /** The configuration with every option at its default. */
  public static KeelConfig defaults() {
    return builder().build();
  }

  /**
   * The value of {@code option}: what was set, else its default (also for an option of a set this
   * configuration was not built with: an extension reads its defaults that way).
   */
  public <T> T get(Option<T> option) {
    Object v = values.get(option);
    return v != null || values.containsKey(option) ? option.cast(v) : option.defaultValue();
  }

  /** Whether {@code option} was given a value (rather than left at its default). */
  public boolean isSet(Option<?> option) {
    return values.containsKey(option);
  }

  /** The option sets this configuration holds, core first. */
  public List<OptionSet> sets() {
    return sets;
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (OptionSet s : sets) {
      b.include(s);
    }
    b.values.putAll(values);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeelConfig other && other.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("KeelConfig{");
    String sep = "";
    for (OptionSet set : sets) {
      for (Option<?> o : set.options()) {
        s.append(sep).append(o.key()).append('=').append(show(o));
        sep = ", ";
      }
    }
    return s.append('}').toString();
  }

  private <T> String show(Option<T> o) {
    return o.show(get(o));
  }

  /** Collects values; {@link #build()} checks them all and reports every bad one at once. */
  public static final class Builder {
    private final Map<Option<?>, Object> values = new IdentityHashMap<>();
    private final Set<OptionSet> sets = new LinkedHashSet<>();

    private Builder() {}

    /** Holds the options of {@code set} too (its rules run at {@link #build()}). */
    public Builder include(OptionSet set) {
      sets.add(Objects.requireNonNull(set, "set"));
      return this;
    }

    /** Sets one option; null only for an optional one (none). */
    public <T> Builder set(Option<T> option, T value) {
      Objects.requireNonNull(option, "option");
      if (option.owner() != null) {
        sets.add(option.owner());
      }
      values.put(option, value);
      return this;
    }

    /** Sets one option from text in its unit ({@code "2m"}, {@code "64KiB"}, {@code "off"}). */
    public Builder parse(Option<?> option, String text) {
      return setParsed(option, text);
    }

    private <T> Builder setParsed(Option<T> option, String text) {
      return set(option, option.parse(text));
    }

    /**
     * Sets the option named {@code key} (a flag without its dashes, or a YAML key) from text.
     *
     * @throws IllegalArgumentException for an unknown key, suggesting the nearest known one
     */
    public Builder parse(String key, String text) {
      return parse(option(key), text);
    }

    /** The option named {@code key} among the included sets. */
    public Option<?> option(String key) {
      List<String> known = new ArrayList<>();
      for (OptionSet s : sets) {
        for (Option<?> o : s.options()) {
          if (o.key().equals(key)) {
            return o;
          }
          known.add(o.key());
        }
      }
      String near = Suggest.nearest(key, known);
      throw new IllegalArgumentException("unknown option '" + key + "'"
          + (near == null ? "" : " (did you mean '" + near + "'?)"));
    }

    /** The value {@code option} has now in this builder (its default if unset). */
    public <T> T get(Option<T> option) {
      Object v = values.get(option);
      return v != null || values.containsKey(option) ? option.cast(v) : option.defaultValue();
    }

    /**
     * Validates every option and rule.
     *
     * @throws IllegalArgumentException naming each option whose value is out of range
     */
    public KeelConfig build() {
      List<OptionSet> ordered = new ArrayList<>(sets);
      KeelConfig config = new KeelConfig(Collections.unmodifiableMap(new IdentityHashMap<>(values)),
          List.copyOf(ordered));
      List<String> errors = new ArrayList<>();
      Set<Option<?>> checked = Collections.newSetFromMap(new IdentityHashMap<>());
      for (OptionSet s : ordered) {
        for (Option<?> o : s.options()) {
          checked.add(o);
          addProblem(errors, o, config);
        }
      }
      for (Option<?> o : values.keySet()) {
        if (checked.add(o)) {
          addProblem(errors, o, config);
        }
      }
      for (OptionSet s : ordered) {
        for (OptionSet.Rule r : s.rules()) {
          String problem = r.apply(config);
          if (problem != null) {
            errors.add(problem);
          }
        }
      }
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException("invalid configuration: " + String.join("; ", errors));
      }
      return config;
    }

    private static <T> void addProblem(List<String> errors, Option<T> o, KeelConfig config) {
      String problem = o.validate(config.get(o));
      if (problem != null) {
        errors.add(problem);
      }
    }
  }
}
