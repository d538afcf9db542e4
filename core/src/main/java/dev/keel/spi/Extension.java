package dev.keel.spi;

/**
 * A part of a Keel server that lives in another module: the admin listener, the Redis relay, the
 * HTTP publish route. Keel starts each extension before its listeners bind, in the order they were
 * added, and closes them after the connections have drained, in reverse order.
 *
 * <p>Usage: {@code Keel.builder().handler(h).extension(new AdminExtension()).build().start()}
 */
public interface Extension extends AutoCloseable {
  /**
   * Starts the extension. Routes, health checks, meters and a relay must be registered here: once
   * this returns the listeners bind and the registrations are fixed.
   *
   * @throws Exception to stop the server from starting (it is closed again, with what started before)
   */
  void start(Host host) throws Exception;

  /** Stops what {@link #start} started; called once, after the drain. Must not throw. */
  @Override
  void close();
}
