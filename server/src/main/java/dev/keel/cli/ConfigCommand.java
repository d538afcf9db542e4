package dev.keel.cli;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.config.KeelConfig;
import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import dev.keel.serve.PubSubServer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * {@code keel config [serve options]}: the effective configuration as YAML (the defaults, then
 * {@code --config FILE}, then the environment, then the flags), every option under its heading, with
 * the default beside each value that differs from it. What it prints reads back as a {@code --config}
 * file; secrets are never printed, only whether they are set.
 */
final class ConfigCommand {
  /** YAML reads these as booleans or null: a text value spelled so is quoted. */
  private static final Set<String> YAML_WORDS = Set.of("y", "n", "yes", "no", "true", "false", "on", "off", "null", "~");

  private ConfigCommand() {}

  static String yaml(KeelConfig config) {
    KeelConfig defaults = PubSubServer.config().build();
    StringBuilder y = new StringBuilder();
    y.append("# keel config: the effective configuration (defaults, then --config FILE, then the environment,\n")
        .append("# then flags). It reads back as a config file: keel serve --config FILE\n");
    for (OptionSet set : PubSubServer.OPTION_SETS) {
      for (OptionSet.Group g : set.groups()) {
        y.append("\n# ").append(g.title()).append('\n');
        for (Option<?> o : g.options()) {
          line(y, o, config, defaults);
        }
      }
    }
    return y.toString();
  }

  private static <T> void line(StringBuilder y, Option<T> o, KeelConfig config, KeelConfig defaults) {
    T value = config.get(o);
    T dflt = defaults.get(o);
    if (o.isSecret()) {
      y.append("# ").append(o.key()).append(": ").append(value == null ? "none" : "(set, not shown)")
          .append(o.env() == null ? "" : "  (or $" + o.env() + ")").append('\n');
      return;
    }
    y.append(o.key()).append(": ").append(scalar(o, value));
    if (!Objects.equals(value, dflt)) {
      y.append("  # default: ").append(scalar(o, dflt));
    }
    y.append('\n');
  }

  private static <T> String scalar(Option<T> o, T value) {
    if (value instanceof List<?> list) {
      StringBuilder s = new StringBuilder("[");
      for (Object item : list) {
        String text = String.valueOf(item);
        // A list item is read as its text: a YAML word (on, off included) must be quoted there.
        boolean word = YAML_WORDS.contains(text.toLowerCase(Locale.ROOT));
        s.append(s.length() > 1 ? ", " : "").append(word ? TextNode.valueOf(text).toString() : quoted(text, false));

      }
      return s.append(']').toString();
    }
    return quoted(o.write(value), "BOOLEAN".equals(o.label()));
  }

  /**
   * Plain when the config file reads it back as the same text, else a double-quoted (JSON) string. YAML
   * reads {@code yes} or {@code null} as something else; {@code on} and {@code off} it reads as booleans
   * too, which the config file turns back into {@code on} and {@code off}.
   */
  static String quoted(String text, boolean booleanOption) {
    String word = text.toLowerCase(Locale.ROOT);
    boolean plain = text.matches("[A-Za-z0-9/_.][A-Za-z0-9_./:@+=-]*")
        && (booleanOption || !YAML_WORDS.contains(word) || text.equals("on") || text.equals("off"));
    return plain ? text : TextNode.valueOf(text).toString();
  }
}
