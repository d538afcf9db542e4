package dev.keel.cli;

import dev.keel.config.ConfigFile;
import dev.keel.config.KeelConfig;
import dev.keel.config.Option;
import dev.keel.api.Keel;
import dev.keel.pubsub.PubSubService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code keel serve [options]}: starts the server and drains it on SIGTERM or Ctrl-C.
 *
 * <p>The options are built from {@link Option}, so {@code --help} lists every one with its default,
 * and the YAML file ({@code --config}) takes the same keys. Flags override the file.
 */
public final class Main {
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
      err.println("keel: " + e.getMessage());
      e.getCommandLine().usage(err);
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

  static KeelConfig configFrom(ParseResult serve) {
    KeelConfig.Builder builder = KeelConfig.builder();
    if (serve.hasMatchedOption("--config")) {
      ConfigFile.applyTo(builder, serve.matchedOptionValue("--config", (Path) null));
    }
    // Secrets from the environment keep them out of `ps`; a flag still wins.
    for (var secret : java.util.Map.of("KEEL_ADMIN_TOKEN", Option.ADMIN_TOKEN,
        "KEEL_AUTH_HMAC_SECRET", Option.AUTH_HMAC_SECRET, "KEEL_API_KEY", Option.API_KEY).entrySet()) {
      String value = System.getenv(secret.getKey());
      if (value != null && !value.isEmpty()) {
        builder.set(secret.getValue(), value);
      }
    }
    for (Option o : Option.values()) {
      if (serve.hasMatchedOption("--" + o.key())) {
        builder.set(o, serve.matchedOptionValue("--" + o.key(), ""));
      }
    }
    return builder.build();
  }

  private static int serve(KeelConfig config, PrintWriter err) {
    Keel server;
    try {
      // The pub/sub protocol on the embedding API, exactly as an embedder would run their own handler.
      server = Keel.builder()
          .config(config)
          .handler(topics -> new PubSubService(topics, config.maxSubscriptions(), config.clusterRedis() != null))
          .build()
          .start();
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
    KeelConfig defaults = KeelConfig.builder().build();
    CommandSpec serve = CommandSpec.create().name("serve").mixinStandardHelpOptions(true);
    serve.usageMessage()
        .description("Start the Keel server: WebSocket (GET /ws) and HTTP publish on --ws-port,"
            + " length-prefixed JSON on --tcp-port. SIGTERM drains and exits 0.")
        .sortOptions(false);
    serve.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
        .description("YAML file with the same keys as these options (e.g. `idle-timeout: 60s`); flags override it.")
        .build());
    for (Option o : Option.values()) {
      OptionSpec.Builder spec = OptionSpec.builder("--" + o.key()).paramLabel(o.label()).type(String.class)
          .description(o.description() + " Default: " + o.valueIn(defaults) + ".");
      if ("BOOLEAN".equals(o.label())) {
        spec.arity("0..1").fallbackValue("true"); // `--admin-allow-gc` alone means true
      }
      serve.addOption(spec.build());
    }
    CommandSpec keel = CommandSpec.create().name("keel").mixinStandardHelpOptions(true);
    keel.version("keel 0.1.0");
    keel.usageMessage().description("Keel: a server for long-lived WebSocket and TCP connections.");
    keel.addSubcommand("serve", new CommandLine(serve));
    return new CommandLine(keel);
  }
}
