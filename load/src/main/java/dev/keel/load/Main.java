package dev.keel.load;

import dev.keel.load.cli.LoadCommand;

/**
 * {@code keel load SCENARIO [options]}: idle, broadcast, churn, abuse or ramp against a Keel server
 * on this machine. Exit status 0 = flat, 1 = leak suspected, 2 = the run failed.
 *
 * <p>Usage: {@code ./keel load churn --connections 5000 --duration 10m --server-pid $(pgrep -f keel-server)}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(LoadCommand.run(args, System.out, System.err));
  }
}
