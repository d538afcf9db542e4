package dev.keel.transport.ws;

import dev.keel.session.Wire;

/**
 * The benchmarks' way to WebSocket's {@link Wire}, which keel-core keeps package-private: this class
 * sits in the same package on the benchmarks' class path, so keel-core's API is not widened for it.
 *
 * <p>Usage: {@code Wire ws = WsWires.wire();}
 */
public final class WsWires {
  private WsWires() {}

  /** The server's WebSocket wire: unmasked server frames. */
  public static Wire wire() {
    return WsWire.INSTANCE;
  }
}
