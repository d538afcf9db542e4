package dev.keel.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration option, declared once: its key (the {@code --key} flag and the YAML key), its
 * type and unit, its default and why, its range and validation, and its description. The command
 * line's {@code --help}, the YAML reader and the table in docs/configuration.md all come from these
 * declarations (see {@code OptionDocs} in keel-server).
 *
 * <p>Immutable; the fluent methods return a changed copy, so a declaration reads top to bottom:
 * <pre>{@code
 * static final Option<Duration> IDLE_TIMEOUT = Option.duration("idle-timeout", Duration.ofSeconds(60))
 *     .range(Duration.ofMillis(1), Option.MAX_DURATION)
 *     .describe("No inbound bytes at all (pongs count) for this long: close 1001.");
 * }</pre>
 *
 * @param <T> the value's type; null is a value only for {@link #optional()} options ("none")
 */
public final class Option<T> {
  /** The longest any timeout may be: far past any useful deadline, far from overflowing nanoseconds. */
  public static final Duration MAX_DURATION = Duration.ofDays(7);

  private final String key;
  private final Type<T> type;
  private final T defaultValue;
  // Set only on a fresh copy by the fluent methods below, before it is returned: never changed after.
  private String why;
  private String description = "";
  private String details;
  private String valid;
  private T min;
  private T max;
  private Function<T, String> check;
  private boolean optional;
  private boolean secret;
  private String env;
  private Function<T, String> display;
  private volatile OptionSet owner;

  private Option(String key, Type<T> type, T defaultValue) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
  }

  private static <T> Option<T> of(String key, Type<T> type, T dflt) {
    if (!key.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("option keys are lower-case words joined by '-': " + key);
    }
    return new Option<>(key, type, dflt);
  }

  private Option<T> copy() {
    Option<T> o = new Option<>(key, type, defaultValue);
    o.why = why;
    o.description = description;
    o.details = details;
    o.valid = valid;
    o.min = min;
    o.max = max;
    o.check = check;
    o.optional = optional;
    o.secret = secret;
    o.env = env;
    o.display = display;
    return o;
  }

  // ------------------------------------------------------------------ declarations

  /** A duration; written with a unit ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}). */
  public static Option<Duration> duration(String key, Duration dflt) {
    return of(key, Type.DURATION, dflt);
  }

  /** A size in bytes up to 2 GiB - 1; written with a unit ({@code 512B}, {@code 64KiB}, {@code 1MiB}). */
  public static Option<Integer> size(String key, int dflt) {
    return of(key, Type.SIZE, dflt);
  }

  /** A size in bytes that may exceed 2 GiB ({@code 4GiB}). */
  public static Option<Long> longSize(String key, long dflt) {
    return of(key, Type.LONG_SIZE, dflt);
  }

  /** A whole number of things ({@code COUNT}), or a rate ({@code PER_SECOND}: give that label). */
  public static Option<Integer> count(String key, int dflt) {
    return of(key, Type.COUNT, dflt);
  }

  /** A percentage, written {@code 80%}. */
  public static Option<Integer> percent(String key, int dflt) {
    return of(key, Type.PERCENT, dflt);
  }

  /** A size in bytes, or {@code auto} (the value 0): worked out at start-up. */
  public static Option<Long> autoSize(String key, long dflt) {
    return of(key, Type.AUTO_SIZE, dflt);
  }

  /** A rate in things per second. */
  public static Option<Integer> rate(String key, int dflt) {
    return of(key, Type.RATE, dflt);
  }

  /** A TCP port: 0 binds any free port, {@code off} ({@link Ports#OFF}) disables the listener. */
  public static Option<Integer> port(String key, int dflt) {
    return of(key, Type.PORT, dflt);
  }

  public static Option<Boolean> flag(String key, boolean dflt) {
    return of(key, Type.BOOLEAN, dflt);
  }

  public static Option<String> text(String key, String label, String dflt) {
    return of(key, Type.text(label), dflt);
  }

  /** A path to a file that must be readable at start-up. */
  public static Option<String> file(String key, String label) {
    return of(key, Type.file(label), null).optional();
  }

  /** A comma-separated list. */
  public static Option<List<String>> list(String key, String label) {
    return of(key, Type.list(label), List.of());
  }

  /** One of an enum's constants, written as {@link Named#optionName()}. */
  public static <E extends Enum<E> & Named> Option<E> choice(String key, Class<E> type, E dflt) {
    return of(key, Type.choice(type), dflt);
  }

  /** Values of an enum-typed option spell themselves this way on the command line and in YAML. */
  public interface Named {
    String optionName();
  }

  // ------------------------------------------------------------------ refinements (copies)

  /** Inclusive bounds, checked at start-up. */
  public Option<T> range(T min, T max) {
    Option<T> o = copy();
    o.min = min;
    o.max = max;
    return o;
  }

  /** An extra check: returns null when the value is fine, else what is wrong (after "KEY "). */
  public Option<T> check(Function<T, String> check) {
    Option<T> o = copy();
    o.check = check;
    return o;
  }

  public Option<T> describe(String description) {
    Option<T> o = copy();
    o.description = description;
    return o;
  }

  /** Why the default is what it is (for docs/configuration.md). */
  public Option<T> why(String why) {
    Option<T> o = copy();
    o.why = why;
    return o;
  }

  /** May be unset ({@code none}): then {@link KeelConfig#get} returns null. */
  public Option<T> optional() {
    Option<T> o = copy();
    o.optional = true;
    return o;
  }

  /** A secret: never printed (shown as {@code (set)}), and also read from the environment variable {@code env}. */
  public Option<T> secret(String env) {
    Option<T> o = copy();
    o.secret = true;
    o.env = env;
    return o;
  }

  /** How {@link #show} writes a value for people (a URI with its password masked, say). */
  public Option<T> display(Function<T, String> display) {
    Option<T> o = copy();
    o.display = display;
    return o;
  }

  /** What it does in full, for docs/configuration.md (Markdown); {@link #describe} is the one-line form. */
  public Option<T> details(String details) {
    Option<T> o = copy();
    o.details = details;
    return o;
  }

  /** The valid values in words, for the docs, where the declared range does not say it all. */
  public Option<T> valid(String valid) {
    Option<T> o = copy();
    o.valid = valid;
    return o;
  }

  // ------------------------------------------------------------------ reading

  /** {@code idle-timeout}: the flag is {@code --idle-timeout}, the YAML key {@code idle-timeout:}. */
  public String key() {
    return key;
  }

  /** What the value is, for {@code --help}: {@code DURATION}, {@code SIZE}, {@code PORT}, ... */
  public String label() {
    return type.label();
  }

  /** How to write a value of this option, e.g. "a duration with a unit: 500ms, 10s, 2m, 1h". */
  public String format() {
    return type.formatHelp();
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** Why the default is what it is; null when nothing needs saying. */
  public String why() {
    return why;
  }

  public boolean isOptional() {
    return optional;
  }

  public boolean isSecret() {
    return secret;
  }

  /** The environment variable a secret may come from, or null. */
  public String env() {
    return env;
  }

  /** The set this option was declared in (set when the {@link OptionSet} is made). */
  public OptionSet owner() {
    return owner;
  }

  void owner(OptionSet set) {
    if (owner != null && owner != set) {
      throw new IllegalStateException(key + " is declared in two option sets");
    }
    owner = set;
  }

  /** The full behaviour for the docs; the description when nothing more was declared. */
  public String details() {
    return details != null ? details : description;
  }

  /** The range as text ("1ms to 7d"), or null when any value of the type goes. */
  public String rangeText() {
    if (valid != null) {
      return valid;
    }
    if (min == null && max == null) {
      return type.rangeText();
    }
    return type.show(min) + " to " + type.show(max);
  }

  /** Parses text in this option's unit. */
  public T parse(String text) {
    Objects.requireNonNull(text, key);
    String t = text.trim();
    if (optional && (t.isEmpty() || t.equals("none"))) {
      return null;
    }
    try {
      return type.parse(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** The value written back in this option's unit ({@code none} for unset, {@code (set)} for a secret). */
  public String show(T value) {
    if (value == null) {
      return "none";
    }
    if (secret) {
      return "(set)";
    }
    return display != null ? display.apply(value) : type.show(value);
  }

  /** The value written so that {@link #parse} reads it back (secrets included). */
  public String write(T value) {
    return value == null ? "none" : type.show(value);
  }

  /** Null when {@code value} is acceptable; else the complete message naming the option. */
  String validate(T value) {
    if (value == null) {
      return optional ? null : key + " must be set";
    }
    if (min != null && type.compare(value, min) < 0 || max != null && type.compare(value, max) > 0) {
      return key + " must be between " + type.show(min) + " and " + type.show(max) + ", was " + type.show(value);
    }
    String problem = type.problem(value);
    if (problem == null && check != null) {
      problem = check.apply(value);
    }
    return problem == null ? null : key + " " + problem;
  }

  @SuppressWarnings("unchecked")
  T cast(Object value) {
    return (T) value;
  }

  @Override
  public String toString() {
    return "--" + key;
  }
}
