package dev.keel.session;

import dev.keel.limit.MemoryBudget;
import dev.keel.spi.ConnectionInfo;

/**
 * What one connection holds, as others see it: the ledger's row ({@code /debug/connections}) and the
 * memory budget's count, which decides who is shed first. Read on the connection's event loop.
 */
final class Holdings {
  private Holdings() {}

  /**
   * The bytes the connection makes the server hold: its fixed cost, its outbound queue (with the
   * per-message overhead), messages read and not handed on (here and above, {@link Held}), unfinished frames.
   */
  static long accounted(Session s) {
    long above = s.attachment instanceof Held h ? h.heldBytes() : 0;
    return MemoryBudget.CONNECTION_COST + (long) s.subscriptions * MemoryBudget.SUBSCRIPTION_COST
        + s.outbound.accounted() + s.gate.backlogAccounted()
        + s.activity.partialBytes() + above;
  }

  static ConnectionInfo describe(Session s, long now) {
    long lastWrite = s.outbound.lastWriteNanos();
    return new ConnectionInfo(s.id(), s.transport(), String.valueOf(s.remoteAddress()), (now - s.openedNanos) / 1_000_000,
        s.subscriptions, s.outbound.bytes(), s.outbound.count(), s.gate.messagesIn(), s.outbound.messagesOut(),
        s.outbound.drops(), (now - s.activity.lastReadNanos()) / 1_000_000,
        lastWrite == 0 ? -1 : (now - lastWrite) / 1_000_000, s.gate.rateLimitedCount(), s.gate.backlog(), accounted(s),
        s.closingLabel(), s.gate.heldFor());
  }
}
