package dev.keel.engine;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.limit.FdLimit;
import dev.keel.limit.SocketBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's socket budget, from {@code max-sockets} or the file-descriptor limit, and what the start-up log says of it. */
final class SocketBudgets {
  private static final Logger log = LoggerFactory.getLogger(SocketBudgets.class);
  /** Where the JDK cannot tell the descriptor limit (not a Unix): no budget to speak of. */
  private static final int UNKNOWN_LIMIT_BUDGET = 1_000_000;

  private SocketBudgets() {}

  static SocketBudget of(KeelConfig config) {
    int asked = config.get(CoreOptions.MAX_SOCKETS);
    long fds = FdLimit.current();
    int derived = fds > 0 ? SocketBudget.fromFdLimit(fds) : UNKNOWN_LIMIT_BUDGET;
    if (asked > 0 && fds > 0 && asked > derived) {
      log.warn("max-sockets {} is above what the file-descriptor limit ({}) leaves for sockets ({}): accepts may"
          + " fail with EMFILE; raise ulimit -n or lower max-sockets", asked, fds, derived);
    }
    return new SocketBudget(asked > 0 ? asked : derived);
  }

  static void logged(SocketBudget budget) {
    long fds = FdLimit.current();
    log.info("socket budget: {} sockets ({} for the public listeners, {} reserved), file-descriptor limit {}",
        budget.max(), budget.shared().limit(), budget.max() - budget.shared().limit(), fds > 0 ? fds : "unknown");
  }
}
