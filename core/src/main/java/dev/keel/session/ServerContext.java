package dev.keel.session;

import dev.keel.config.KeelConfig;
import io.netty.buffer.ByteBufAllocator;

/**
 * What every connection of one server shares: its configuration (and the session settings taken
 * from it), the application handler, the live-connection registry, counters, and the allocator all
 * its buffers come from.
 *
 * @param authRequired connections must prove who they are (a connect token) before anything else
 */
public record ServerContext(
    KeelConfig config,
    SessionSettings settings,
    ConnectionHandler handler,
    Sessions sessions,
    SessionCounters counters,
    ByteBufAllocator allocator,
    boolean authRequired) {

  public ServerContext(KeelConfig config, ConnectionHandler handler, Sessions sessions, SessionCounters counters,
      ByteBufAllocator allocator, boolean authRequired) {
    this(config, SessionSettings.from(config), handler, sessions, counters, allocator, authRequired);
  }
}
