package dev.keel.load.scenario;

/** The run itself failed (exit 2): connections could not be opened, the server went away, ... */
public final class RunFailed extends Exception {
  public RunFailed(String message) {
    super(message);
  }
}
