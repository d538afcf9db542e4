package dev.keel.cli;

import dev.keel.config.ConfigFile;
import dev.keel.config.KeelConfig;
import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import dev.keel.serve.PubSubServer;
import java.nio.file.Path;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The flags of {@code keel serve} (and {@code keel config}, which takes the same), built from the
 * option declarations, and the configuration they make: the defaults, then {@code --config FILE}, then
 * secrets from the environment, then the flags.
 */
final class ServeFlags {
  static final String FORMATS = "Durations take a unit (500ms, 10s, 2m, 1h), sizes too (512B, 64KiB, 1MiB); ports take 0"
      + " (any free port) or off.";

  private ServeFlags() {}

  /** A command named {@code name} with every option of {@code keel serve}, grouped by concern. */
  static CommandSpec command(String name, String... description) {
    KeelConfig defaults = PubSubServer.config().build();
    CommandSpec spec = CommandSpec.create().name(name).mixinStandardHelpOptions(true).version(Main.VERSION);
    spec.usageMessage().description(description).sortOptions(false);
    spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
        .description("YAML file with the same keys as these options (e.g. `idle-timeout: 60s`); flags override it.")
        .build());
    for (OptionSet set : PubSubServer.OPTION_SETS) {
      for (OptionSet.Group g : set.groups()) {
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().heading(g.title() + ":%n").exclusive(false)
            .multiplicity("0..1");
        for (Option<?> o : g.options()) {
          group.addArg(spec(o, defaults));
        }
        spec.addArgGroup(group.build());
      }
    }
    return spec;
  }

  private static <T> OptionSpec spec(Option<T> o, KeelConfig defaults) {
    OptionSpec.Builder spec = OptionSpec.builder("--" + o.key()).paramLabel(o.label()).type(String.class)
        // picocli reads a description as a format string: a bare % (as in "Default: 80%") made it warn on
        // stderr at every --help and print the raw text.
        .description((o.description() + " Default: " + o.show(defaults.get(o)) + ".").replace("%", "%%"));
    if ("BOOLEAN".equals(o.label())) {
      spec.arity("0..1").fallbackValue("true"); // `--admin-allow-gc` alone means true
    }
    return spec.build();
  }

  /**
   * The configuration the parsed flags make.
   *
   * @throws IllegalArgumentException naming the option, for a bad value or an invalid configuration
   */
  static KeelConfig configFrom(ParseResult parsed) {
    return builderFrom(parsed).build();
  }

  /** Like {@link #configFrom}, not yet validated. */
  static KeelConfig.Builder builderFrom(ParseResult parsed) {
    KeelConfig.Builder builder = PubSubServer.config();
    if (parsed.hasMatchedOption("--config")) {
      ConfigFile.applyTo(builder, parsed.matchedOptionValue("--config", (Path) null));
    }
    for (OptionSet set : PubSubServer.OPTION_SETS) {
      for (Option<?> o : set.options()) {
        // Secrets from the environment keep them out of `ps`; a flag still wins.
        if (o.env() != null) {
          String value = System.getenv(o.env());
          if (value != null && !value.isEmpty()) {
            builder.parse(o, value);
          }
        }
        if (parsed.hasMatchedOption("--" + o.key())) {
          builder.parse(o, parsed.matchedOptionValue("--" + o.key(), ""));
        }
      }
    }
    return builder;
  }
}
