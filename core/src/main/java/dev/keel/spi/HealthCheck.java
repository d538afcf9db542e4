package dev.keel.spi;

/**
 * One part of {@code /healthz}. While {@link #up()} is false the node answers 200 with
 * {@code {"status":"degraded","NAME":"down"}}: it still serves its connections, and a 503 would make
 * a load balancer drop every node at once when a shared dependency goes away. A check made with
 * {@link #readiness} answers 503 {@code {"status":"starting","NAME":"down"}} instead: the node is not
 * ready for clients yet (its own state, never a shared dependency's).
 *
 * <p>Usage: {@code host.health(new HealthCheck("redis", relay::available))}.
 *
 * @param name the key in the health body, e.g. {@code redis}
 * @param up read on an event loop for every health request: must be cheap and never block
 * @param ready true for a readiness check (503 while down), false for a degradation (200)
 */
public record HealthCheck(String name, java.util.function.BooleanSupplier up, boolean ready) {
  /** A degradation: 200 {@code degraded} while down. */
  public HealthCheck(String name, java.util.function.BooleanSupplier up) {
    this(name, up, false);
  }

  /** A readiness check: 503 {@code starting} while down (a warm-up, a cache still loading). */
  public static HealthCheck readiness(String name, java.util.function.BooleanSupplier up) {
    return new HealthCheck(name, up, true);
  }
}
