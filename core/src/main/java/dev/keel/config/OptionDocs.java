package dev.keel.config;

import java.util.List;
import java.util.Locale;

/**
 * The option tables of docs/configuration.md, written from the declarations: one section per option
 * set, one row per option (flag and YAML key, unit, default, valid values, behaviour). A test in
 * keel-server compares the committed document with what this writes, so the two cannot drift.
 *
 * <p>Usage: {@code String markdown = OptionDocs.tables(List.of(CoreOptions.SET, ...));}
 */
public final class OptionDocs {
  /** The generated part of the document sits between these two lines. */
  public static final String BEGIN = "<!-- options:begin (generated from the option declarations: do not edit by hand) -->";
  public static final String END = "<!-- options:end -->";

  private OptionDocs() {}

  /** The tables of {@code sets}, in order, one heading per group. */
  public static String tables(List<OptionSet> sets) {
    KeelConfig defaults = KeelConfig.builder(sets.toArray(OptionSet[]::new)).build();
    StringBuilder md = new StringBuilder();
    for (OptionSet set : sets) {
      for (OptionSet.Group g : set.groups()) {
        md.append("\n### ").append(g.title()).append(" (").append(moduleOf(set)).append(")\n\n");
        md.append("| option (flag / YAML key) | unit | default | valid | behaviour |\n");
        md.append("|---|---|---|---|---|\n");
        for (Option<?> o : g.options()) {
          row(md, o, defaults);
        }
      }
    }
    return md.toString();
  }

  private static <T> void row(StringBuilder md, Option<T> o, KeelConfig defaults) {
    T d = defaults.get(o);
    String dflt = d == null ? "none" : "`" + o.show(d) + "`";
    String range = o.rangeText();
    String behaviour = o.details();
    if (o.why() != null && !behaviour.contains(o.why())) {
      behaviour += " *Default:* " + o.why();
    }
    if (o.env() != null) {
      behaviour += (behaviour.contains("$" + o.env()) ? "" : " Also `$" + o.env() + "`.");
    }
    md.append("| `--").append(o.key()).append("` / `").append(o.key()).append("` | ")
        .append(unit(o)).append(" | ").append(dflt).append(" | ")
        .append(range == null ? "any" : cell(range)).append(" | ")
        .append(cell(behaviour)).append(" |\n");
  }

  private static String unit(Option<?> o) {
    return switch (o.label()) {
      case "DURATION" -> "duration";
      case "SIZE" -> "size";
      case "COUNT" -> "count";
      case "PER_SECOND" -> "per second";
      case "PORT" -> "port";
      case "BOOLEAN" -> "boolean";
      case "ADDR" -> "address";
      case "SECRET", "TOKEN" -> "secret";
      case "PEM_FILE" -> "PEM file";
      case "ORIGINS" -> "comma-separated origins";
      default -> o.label().endsWith("POLICY") ? "policy"
          : o.label().equals("IO_TRANSPORT") ? "transport" : o.label().toLowerCase(Locale.ROOT).replace('_', ' ');
    };
  }

  /** A table cell: no line breaks, and a pipe that is text, not a column. */
  private static String cell(String text) {
    return text.replace("\n", " ").replace(" | ", " \\| ");
  }

  private static String moduleOf(OptionSet set) {
    return switch (set.name()) {
      case "Core" -> "keel-core";
      case "Admin" -> "keel-admin";
      case "Cluster" -> "keel-cluster-redis";
      default -> "keel-server";
    };
  }
}
