package dev.keel.load.scenario;

/**
 * One load scenario. {@link #run} drives the server through {@link Run} and puts its figures in
 * {@code run.results}; the {@link Runner} takes the baseline before it and the verdict after it.
 */
public interface Scenario {
  /** idle, broadcast, churn, abuse or ramp. */
  String name();

  /** Runs the scenario; every loop in it is bounded in count and time. Throws when the run failed. */
  void run(Run run) throws Exception;

  /** Whether connection lifetimes are the unit of work (the slope is then judged per 1,000 of them). */
  default boolean churns() {
    return false;
  }

  /** Whether a run without server figures has failed: the verdict is this scenario's point. */
  default boolean needsVerdict() {
    return false;
  }

  /**
   * The connections this scenario means to hold established at once; a run that never got there has
   * failed (exit 2), whatever its memory did. 0: no such aim.
   */
  default int targetConnections() {
    return 0;
  }

  /** Whether its subscribers should receive messages: a run that delivered none has failed. */
  default boolean delivers() {
    return false;
  }
}
