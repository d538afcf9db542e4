package dev.keel.spi;

/**
 * One row of the connection ledger ({@code GET /debug/connections}): what one connection holds and
 * how it behaves. Times are milliseconds; {@code sinceLastWriteMs} is -1 before the first write;
 * {@code pendingInbound} counts messages read and not yet handed to the handler (throttled or paused);
 * {@code accountedBytes} is what the connection holds as the memory budget counts it (docs/memory.md);
 * {@code closing} is null while the connection is open and, once its close has begun, the reason's
 * label ({@code slow_consumer}, {@code shutdown}, ...): it is then flushing or waiting for the peer to
 * take its goodbye, for at most {@code close-timeout} after the flush; {@code readHeld} is null while
 * the socket is read and otherwise why it is not, one or more of {@code rate_limit} (messages wait for
 * tokens), {@code handler} (the handler's inbound queue is full), {@code memory} (the memory budget is
 * above its high mark) and {@code closing}, joined by {@code +}.
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
    long accountedBytes,
    String closing,
    String readHeld) {}
