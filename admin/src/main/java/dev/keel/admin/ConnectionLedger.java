package dev.keel.admin;

import dev.keel.spi.ConnectionInfo;
import dev.keel.spi.Host;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /debug/connections}: the host's per-loop snapshot of every connection (each loop
 * describes its own: no lock, no cross-thread read of connection state), sorted and cut.
 */
final class ConnectionLedger {
  enum Sort {
    QUEUED(Comparator.comparingLong(ConnectionInfo::queuedBytes)),
    AGE(Comparator.comparingLong(ConnectionInfo::ageMs)),
    DROPS(Comparator.comparingLong(ConnectionInfo::drops)),
    /** What the memory budget counts for the connection: the order a shed round closes them in. */
    ACCOUNTED(Comparator.comparingLong(ConnectionInfo::accountedBytes));

    final Comparator<ConnectionInfo> descending;

    Sort(Comparator<ConnectionInfo> ascending) {
      this.descending = ascending.reversed().thenComparingLong(ConnectionInfo::id);
    }

    static Sort parse(String s) {
      return switch (s == null ? "queued" : s) {
        case "queued" -> QUEUED;
        case "age" -> AGE;
        case "drops" -> DROPS;
        case "accounted" -> ACCOUNTED;
        default -> throw new IllegalArgumentException("sort must be queued, age, drops or accounted");
      };
    }
  }

  static final int MAX_LIMIT = 10_000;

  private final Host host;

  ConnectionLedger(Host host) {
    this.host = host;
  }

  CompletableFuture<List<ConnectionInfo>> top(Sort sort, int limit) {
    return host.connections().thenApply(rows -> {
      List<ConnectionInfo> all = new ArrayList<>(rows);
      all.sort(sort.descending);
      return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
    });
  }
}
