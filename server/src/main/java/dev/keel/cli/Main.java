package dev.keel.cli;

import ch.qos.logback.classic.LoggerContext;
import dev.keel.config.ConfigFile;
import dev.keel.config.KeelConfig;
import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import dev.keel.config.Suggest;
import dev.keel.serve.PubSubServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code keel serve [options]}: starts the server and drains it on SIGTERM or Ctrl-C.
 *
 * <p>The options are built from the option declarations ({@link PubSubServer#OPTION_SETS}), so
 * {@code --help} lists every one with its default, grouped by concern, and the YAML file
 * ({@code --config}) takes the same keys. Flags override the file; secrets may come from the
 * environment.
 */
public final class Main {
  static final String VERSION = "keel 0.1.0";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Parses {@code args}; returns the exit code for anything but a running server. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("keel: " + e.getMessage() + hint(e));
      String command = e.getCommandLine().getCommandName();
      err.println("keel: see `" + (command.equals("keel") ? "keel" : "keel " + command) + " --help`");
      return 2;
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return 0;
    }
    if (!parsed.hasSubcommand()) {
      cli.usage(out);
      return 2;
    }
    ParseResult serve = parsed.subcommand();
    KeelConfig config;
    try {
      config = configFrom(serve);
    } catch (IllegalArgumentException e) {
      err.println("keel: " + e.getMessage());
      return 2;
    }
    return serve(config, err);
  }

  /** "did you mean" for an unknown option. */
  private static String hint(CommandLine.ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String typed = u.getUnmatched().get(0);
      if (typed.startsWith("--")) {
        List<String> known = new ArrayList<>();
        for (OptionSpec o : e.getCommandLine().getCommandSpec().options()) {
          known.add(o.longestName());
        }
        String near = Suggest.nearest(typed.split("=", 2)[0], known);
        if (near != null) {
          return " (did you mean " + near + "?)";
        }
      }
    }
    return "";
  }

  static KeelConfig configFrom(ParseResult serve) {
    KeelConfig.Builder builder = PubSubServer.config();
    if (serve.hasMatchedOption("--config")) {
      ConfigFile.applyTo(builder, serve.matchedOptionValue("--config", (Path) null));
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
        if (serve.hasMatchedOption("--" + o.key())) {
          builder.parse(o, serve.matchedOptionValue("--" + o.key(), ""));
        }
      }
    }
    return builder.build();
  }

  private static int serve(KeelConfig config, PrintWriter err) {
    PubSubServer server;
    try {
      server = PubSubServer.start(config);
    } catch (Exception e) {
      err.println("keel: cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and Ctrl-C run shutdown hooks: drain there, then leave with status 0 (a drained
    // shutdown is a success, not the 143 the JVM would report for the signal).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
        logback.stop(); // flushes the asynchronous appender before the halt
      }
      Runtime.getRuntime().halt(0);
    }, "keel-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static CommandLine commandLine() {
    KeelConfig defaults = PubSubServer.config().build();
    CommandSpec serve = CommandSpec.create().name("serve").mixinStandardHelpOptions(true).version(VERSION);
    serve.usageMessage()
        .description("Start the Keel server: WebSocket (GET /ws) and HTTP publish on --ws-port,"
            + " length-prefixed JSON on --tcp-port. SIGTERM drains and exits 0.",
            "Durations take a unit (500ms, 10s, 2m, 1h), sizes too (512B, 64KiB, 1MiB); ports take 0"
            + " (any free port) or off.")
        .sortOptions(false);
    serve.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
        .description("YAML file with the same keys as these options (e.g. `idle-timeout: 60s`); flags override it.")
        .build());
    for (OptionSet set : PubSubServer.OPTION_SETS) {
      for (OptionSet.Group g : set.groups()) {
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().heading(g.title() + ":%n").exclusive(false)
            .multiplicity("0..1");
        for (Option<?> o : g.options()) {
          group.addArg(spec(o, defaults));
        }
        serve.addArgGroup(group.build());
      }
    }
    CommandSpec keel = CommandSpec.create().name("keel").mixinStandardHelpOptions(true).version(VERSION);
    keel.usageMessage().description("Keel: a server for long-lived WebSocket and TCP connections.",
        "Commands: serve (this program), load (the load and soak tool: `keel load --help`).");
    keel.addSubcommand("serve", new CommandLine(serve));
    return new CommandLine(keel);
  }

  private static <T> OptionSpec spec(Option<T> o, KeelConfig defaults) {
    OptionSpec.Builder spec = OptionSpec.builder("--" + o.key()).paramLabel(o.label()).type(String.class)
        .description(o.description() + " Default: " + o.show(defaults.get(o)) + ".");
    if ("BOOLEAN".equals(o.label())) {
      spec.arity("0..1").fallbackValue("true"); // `--admin-allow-gc` alone means true
    }
    return spec.build();
  }
}
