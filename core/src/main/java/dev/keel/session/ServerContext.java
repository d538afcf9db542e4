package dev.keel.session;

import dev.keel.config.KeelConfig;
import dev.keel.limit.MemoryBudget;
import io.netty.buffer.ByteBufAllocator;

/**
 * What every connection of one server shares: its configuration (and the session settings taken
 * from it), the application handler, the live-connection registry, counters, the allocator all its
 * buffers come from, and the memory budget everything it holds is charged to.
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
    boolean authRequired,
    MemoryBudget budget) {

  public ServerContext(KeelConfig config, ConnectionHandler handler, Sessions sessions, SessionCounters counters,
      ByteBufAllocator allocator, boolean authRequired, MemoryBudget budget) {
    this(config, SessionSettings.from(config), handler, sessions, counters, allocator, authRequired, budget);
  }
}
