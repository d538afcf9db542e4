package dev.keel.transport.tcp;

import dev.keel.session.Wire;

/**
 * The benchmarks' way to framed TCP's {@link Wire}, which keel-core keeps package-private: this class
 * sits in the same package on the benchmarks' class path, so keel-core's API is not widened for it.
 *
 * <p>Usage: {@code Wire tcp = TcpWires.wire();}
 */
public final class TcpWires {
  private TcpWires() {}

  /** The server's framed-TCP wire: a 4-byte length, then the payload. */
  public static Wire wire() {
    return TcpWire.INSTANCE;
  }
}
