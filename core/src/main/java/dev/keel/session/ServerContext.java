package dev.keel.session;

import dev.keel.auth.TokenVerifier;
import dev.keel.config.KeelConfig;
import io.netty.buffer.ByteBufAllocator;

/**
 * What every connection of one server shares: its configuration (and the session settings taken
 * from it), the application handler, the live-connection registry, counters, and the allocator all
 * its buffers come from.
 *
 * @param verifier the connect-token verifier, or null when authentication is off
 */
public record ServerContext(
    KeelConfig config,
    SessionSettings settings,
    ConnectionHandler handler,
    Sessions sessions,
    SessionCounters counters,
    ByteBufAllocator allocator,
    TokenVerifier verifier) {

  public ServerContext(KeelConfig config, ConnectionHandler handler, Sessions sessions, SessionCounters counters,
      ByteBufAllocator allocator, TokenVerifier verifier) {
    this(config, SessionSettings.from(config), handler, sessions, counters, allocator, verifier);
  }

  /** Whether connections must present a connect token. */
  public boolean authRequired() {
    return verifier != null;
  }
}
