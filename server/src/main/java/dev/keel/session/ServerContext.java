package dev.keel.session;

import dev.keel.config.KeelConfig;
import dev.keel.auth.TokenVerifier;
import io.netty.buffer.ByteBufAllocator;

/**
 * What every connection of one server shares: its configuration, the application handler, the
 * live-connection registry, counters, and the allocator all its buffers come from.
 */
public record ServerContext(
    KeelConfig config,
    ConnectionHandler handler,
    Sessions sessions,
    Stats stats,
    ByteBufAllocator allocator,
    TokenVerifier verifier) {

  /** Whether connections must present a connect token. */
  public boolean authRequired() {
    return verifier != null;
  }
}
