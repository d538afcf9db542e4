package dev.keel.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** How values of one kind of option are written, read back, compared and checked. */
abstract class Type<T> {
  private final String label;
  private final String formatHelp;

  Type(String label, String formatHelp) {
    this.label = label;
    this.formatHelp = formatHelp;
  }

  String label() {
    return label;
  }

  String formatHelp() {
    return formatHelp;
  }

  abstract T parse(String text);

  abstract String show(T value);

  int compare(T a, T b) {
    throw new UnsupportedOperationException(label + " has no order");
  }

  /** A problem of the value itself, whatever the option (an unreadable file, say); null if none. */
  String problem(T value) {
    return null;
  }

  String rangeText() {
    return null;
  }

  static final Type<Duration> DURATION = new Type<>("DURATION", "a number and a unit: 500ms, 10s, 2m, 1h") {
    @Override
    Duration parse(String text) {
      return Units.parseDuration(text);
    }

    @Override
    String show(Duration value) {
      return Units.formatDuration(value);
    }

    @Override
    int compare(Duration a, Duration b) {
      return a.compareTo(b);
    }
  };

  static final Type<Integer> SIZE = new Type<>("SIZE", "a number and a unit: 512B, 64KiB, 1MiB, 2GiB") {
    @Override
    Integer parse(String text) {
      long bytes = Units.parseSize(text);
      if (bytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("'" + text + "' is too large (at most 2GiB - 1)");
      }
      return (int) bytes;
    }

    @Override
    String show(Integer value) {
      return Units.formatSize(value);
    }

    @Override
    int compare(Integer a, Integer b) {
      return Integer.compare(a, b);
    }
  };

  static final Type<Long> LONG_SIZE = new Type<>("SIZE", "a number and a unit: 512MiB, 4GiB") {
    @Override
    Long parse(String text) {
      return Units.parseSize(text);
    }

    @Override
    String show(Long value) {
      return Units.formatSize(value);
    }

    @Override
    int compare(Long a, Long b) {
      return Long.compare(a, b);
    }
  };

  static final Type<Integer> COUNT = whole("COUNT", "a whole number");
  static final Type<Integer> RATE = whole("PER_SECOND", "a whole number per second");

  private static Type<Integer> whole(String label, String help) {
    return new Type<>(label, help) {
      @Override
      Integer parse(String text) {
        try {
          return Integer.parseInt(text.replace("_", ""));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "' is not a whole number", e);
        }
      }

      @Override
      String show(Integer value) {
        return Integer.toString(value);
      }

      @Override
      int compare(Integer a, Integer b) {
        return Integer.compare(a, b);
      }
    };
  }

  static final Type<Integer> PORT = new Type<>("PORT", "0 to 65535 (0: any free port), or off") {
    @Override
    Integer parse(String text) {
      if (text.equalsIgnoreCase("off")) {
        return Ports.OFF;
      }
      try {
        if (!text.matches("\\d{1,9}")) {
          throw new NumberFormatException(text);
        }
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not a port: use 0 to 65535 (0: any free port) or off", e);
      }
    }

    @Override
    String show(Integer value) {
      return value == Ports.OFF ? "off" : Integer.toString(value);
    }

    @Override
    String problem(Integer value) {
      return value == Ports.OFF || (value >= 0 && value <= 65535) ? null
          : "must be 0 to 65535 (0: any free port) or off, was " + value;
    }

    @Override
    String rangeText() {
      return "0 (any free port) to 65535, or off";
    }
  };

  static final Type<Boolean> BOOLEAN = new Type<>("BOOLEAN", "true or false") {
    @Override
    Boolean parse(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
      };
    }

    @Override
    String show(Boolean value) {
      return value.toString();
    }
  };

  static final Type<Integer> PERCENT = new Type<>("PERCENT", "a whole percentage: 80%") {
    @Override
    Integer parse(String text) {
      String t = text.endsWith("%") ? text.substring(0, text.length() - 1).trim() : text;
      try {
        return Integer.parseInt(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not a percentage: write 80%", e);
      }
    }

    @Override
    String show(Integer value) {
      return value + "%";
    }

    @Override
    int compare(Integer a, Integer b) {
      return Integer.compare(a, b);
    }
  };

  /** A size that may be {@code auto} (0): worked out at start-up from the machine. */
  static final Type<Long> AUTO_SIZE = new Type<>("SIZE", "a number and a unit (512MiB, 2GiB), or auto") {
    @Override
    Long parse(String text) {
      return text.equalsIgnoreCase("auto") ? 0L : Units.parseSize(text);
    }

    @Override
    String show(Long value) {
      return value == 0 ? "auto" : Units.formatSize(value);
    }

    @Override
    int compare(Long a, Long b) {
      return Long.compare(a, b);
    }
  };

  static Type<String> text(String label) {
    return new Type<>(label, "text") {
      @Override
      String parse(String text) {
        return text;
      }

      @Override
      String show(String value) {
        return value;
      }
    };
  }

  static Type<String> file(String label) {
    return new Type<>(label, "a file path, or none") {
      @Override
      String parse(String text) {
        return text;
      }

      @Override
      String show(String value) {
        return value;
      }

      @Override
      String problem(String value) {
        return Files.isReadable(Path.of(value)) ? null : value + " is not a readable file";
      }
    };
  }

  static Type<List<String>> list(String label) {
    return new Type<>(label, "comma-separated values, or empty") {
      @Override
      List<String> parse(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
      }

      @Override
      String show(List<String> value) {
        return String.join(",", value);
      }
    };
  }

  static <E extends Enum<E> & Option.Named> Type<E> choice(Class<E> type) {
    E[] values = type.getEnumConstants();
    String names = Arrays.stream(values).map(Option.Named::optionName).collect(Collectors.joining(", "));
    return new Type<>(type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT),
        "one of " + names) {
      @Override
      E parse(String text) {
        for (E e : values) {
          if (e.optionName().equalsIgnoreCase(text)) {
            return e;
          }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + names);
      }

      @Override
      String show(E value) {
        return value.optionName();
      }

      @Override
      String rangeText() {
        return names;
      }
    };
  }
}
