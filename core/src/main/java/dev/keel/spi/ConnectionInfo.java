package dev.keel.spi;

/**
 * One row of the connection ledger ({@code GET /debug/connections}): what one connection holds and
 * how it behaves. Times are milliseconds; {@code sinceLastWriteMs} is -1 before the first write;
 * {@code pendingInbound} counts messages read and not yet handed to the handler (throttled or paused);
 * {@code accountedBytes} is what the connection holds as the memory budget counts it (docs/memory.md).
 */
public record ConnectionInfo(
    long id,
    String transport,
    String remote,
    long ageMs,
    int subscriptions,
    long queuedBytes,
    int queuedMessages,
    long messagesIn,
    long messagesOut,
    long drops,
    long sinceLastReadMs,
    long sinceLastWriteMs,
    long rateLimited,
    int pendingInbound,
    long accountedBytes) {}
