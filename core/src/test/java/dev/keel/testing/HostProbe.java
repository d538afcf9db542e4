package dev.keel.testing;

import dev.keel.spi.Extension;
import dev.keel.spi.Host;
import dev.keel.spi.Readings;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;

/**
 * An extension that only keeps the {@link Host} it is given, so that a test can read a running
 * server's figures the way the admin module does (no private access, no reflection).
 *
 * <p>Usage: {@code HostProbe probe = new HostProbe(); Keel.builder()...extension(probe)...; probe.readings()}
 */
public final class HostProbe implements Extension {
  private volatile Host host;

  @Override
  public void start(Host host) {
    this.host = host;
  }

  @Override
  public void close() {}

  public Host host() {
    Host h = host;
    if (h == null) {
      throw new IllegalStateException("the server has not started this probe");
    }
    return h;
  }

  public Readings readings() {
    return host().readings();
  }

  public PooledByteBufAllocator allocator() {
    return host().allocator();
  }

  public EventLoopGroup eventLoops() {
    return host().eventLoops();
  }

  /** Connections ended for {@code reason}'s label, over both transports. */
  public long closed(dev.keel.api.CloseReason reason) {
    return closed("ws", reason) + closed("tcp", reason);
  }

  public long closed(String transport, dev.keel.api.CloseReason reason) {
    return readings().closed(transport, reason.label());
  }

  /** Established connections over both transports. */
  public long connections() {
    return readings().connections("ws") + readings().connections("tcp");
  }
}
