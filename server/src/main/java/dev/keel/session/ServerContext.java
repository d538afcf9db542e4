package dev.keel.session;

import dev.keel.config.KeelConfig;
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
    ByteBufAllocator allocator) {}
