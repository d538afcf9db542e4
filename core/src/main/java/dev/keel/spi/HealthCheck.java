package dev.keel.spi;

/**
 * One part of {@code /healthz}: while {@link #up()} is false the node answers 200 with
 * {@code {"status":"degraded","NAME":"down"}} (it still serves its connections; a 503 would make a
 * load balancer drop every node at once when a shared dependency goes away).
 *
 * @param name the key in the health body, e.g. {@code redis}
 * @param up read on an event loop for every health request: must be cheap and never block
 */
public record HealthCheck(String name, java.util.function.BooleanSupplier up) {}
