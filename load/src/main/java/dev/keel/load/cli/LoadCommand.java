package dev.keel.load.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The top-level command: its subcommands are the scenarios.
 *
 * <p>Usage (tests run the tool in-process this way): {@code int exit = LoadCommand.run(args, out, err);}
 */
@Command(name = "keel load", mixinStandardHelpOptions = true, version = LoadCommand.VERSION,
    subcommands = {Commands.Idle.class, Commands.Broadcast.class, Commands.Churn.class, Commands.Abuse.class,
        Commands.Ramp.class},
    description = {"Load and soak scenarios against a Keel server on this machine, with a leak verdict.",
        "Exit status: 0 flat, 1 leak suspected, 2 the run failed (or bad options)."})
public final class LoadCommand implements Runnable {
  /** What {@code -V} prints, on the command and on every scenario. */
  static final String VERSION = "keel-load 0.1.0";

  @CommandLine.Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a scenario: idle, broadcast, churn, abuse or ramp");
  }

  /** Parses and runs; the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine.IFactory streams = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        K k = CommandLine.defaultFactory().create(cls);
        if (k instanceof Commands.Base b) {
          b.out = out;
          b.err = err;
        }
        return k;
      }
    };
    CommandLine cl = new CommandLine(new LoadCommand(), streams);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExitCodeExceptionMapper(e -> 2);
    cl.setUsageHelpWidth(120);
    return cl.execute(args);
  }
}
