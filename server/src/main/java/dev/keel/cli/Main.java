package dev.keel.cli;

import ch.qos.logback.classic.LoggerContext;
import dev.keel.config.KeelConfig;
import dev.keel.config.Suggest;
import dev.keel.serve.PubSubServer;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code keel serve [options]}: starts the server and drains it on SIGTERM or Ctrl-C;
 * {@code keel config [options]} prints the configuration those options make, as YAML;
 * {@code keel token} mints a development connect token.
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
    ParseResult command = parsed.subcommand();
    try {
      return switch (command.commandSpec().name()) {
        case "config" -> {
          out.print(ConfigCommand.yaml(configFrom(command)));
          out.flush();
          yield 0;
        }
        case "token" -> {
          TokenCommand.Grant grant = TokenCommand.grant(command);
          out.println(TokenCommand.mint(TokenCommand.secret(command), grant, Clock.systemUTC()));
          err.println(TokenCommand.describe(grant, Clock.systemUTC()));
          yield 0;
        }
        default -> serve(configFrom(command), out, err);
      };
    } catch (IllegalArgumentException e) {
      err.println("keel: " + e.getMessage());
      return 2;
    }
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

  /** The configuration {@code keel serve} (or {@code keel config}) options make. */
  static KeelConfig configFrom(ParseResult command) {
    return ServeFlags.configFrom(command);
  }

  private static int serve(KeelConfig config, PrintWriter out, PrintWriter err) {
    PubSubServer server;
    try {
      server = PubSubServer.create(config);
    } catch (Exception e) {
      err.println("keel: cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and Ctrl-C run shutdown hooks: drain there, then leave with status 0 (a drained
    // shutdown is a success, not the 143 the JVM would report for the signal). Installed before the
    // start, so that a signal during the warm-up (seconds, before the ports open) stops it cleanly too.
    Thread hook = new Thread(() -> {
      server.close();
      stopped.countDown();
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
        logback.stop(); // flushes the asynchronous appender before the halt
      }
      Runtime.getRuntime().halt(0);
    }, "keel-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      server.start();
    } catch (Exception e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook); // a failed start exits 1, not the hook's 0
      } catch (IllegalStateException shuttingDown) {
        return 0; // a signal stopped the start: the hook is draining and exits 0 itself
      }
      err.println("keel: cannot start: " + e.getMessage()); // the failed start has stopped what it started
      return 1;
    }
    out.print(Banner.text(config, server.wsPort(), server.tcpPort(), server.adminPort()));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static CommandLine commandLine() {
    CommandSpec serve = ServeFlags.command("serve",
        "Start the Keel server: WebSocket (GET /ws) and HTTP publish on --ws-port, length-prefixed JSON on"
            + " --tcp-port. SIGTERM or Ctrl-C drains and exits 0.", ServeFlags.FORMATS);
    CommandSpec config = ServeFlags.command("config",
        "Print the configuration these options make, as YAML: the defaults, then --config FILE, then the"
            + " environment, then the flags (the same as `keel serve` takes). Secrets are never printed.",
        ServeFlags.FORMATS);
    CommandSpec keel = CommandSpec.create().name("keel").mixinStandardHelpOptions(true).version(VERSION);
    keel.usageMessage().description("Keel: a server for long-lived WebSocket and TCP connections.",
        "Also `keel load`: the load and soak tool (`keel load --help`).");
    keel.addSubcommand("serve", new CommandLine(serve));
    keel.addSubcommand("config", new CommandLine(config));
    keel.addSubcommand("token", new CommandLine(TokenCommand.command()));
    return new CommandLine(keel);
  }
}
