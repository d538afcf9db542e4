package dev.keel.admin;

import dev.keel.session.ConnectionInfo;
import dev.keel.session.Session;
import dev.keel.session.Sessions;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /debug/connections}: asks each event loop for a snapshot of the connections it owns (a
 * task on that loop: no lock, no cross-thread read of connection state), then merges, sorts and cuts.
 */
final class ConnectionLedger {
  enum Sort {
    QUEUED(Comparator.comparingLong(ConnectionInfo::queuedBytes)),
    AGE(Comparator.comparingLong(ConnectionInfo::ageMs)),
    DROPS(Comparator.comparingLong(ConnectionInfo::drops));

    final Comparator<ConnectionInfo> descending;

    Sort(Comparator<ConnectionInfo> ascending) {
      this.descending = ascending.reversed().thenComparingLong(ConnectionInfo::id);
    }

    static Sort parse(String s) {
      return switch (s == null ? "queued" : s) {
        case "queued" -> QUEUED;
        case "age" -> AGE;
        case "drops" -> DROPS;
        default -> throw new IllegalArgumentException("sort must be queued, age or drops");
      };
    }
  }

  static final int MAX_LIMIT = 10_000;

  private final Sessions sessions;
  private final EventLoopGroup loops;

  ConnectionLedger(Sessions sessions, EventLoopGroup loops) {
    this.sessions = sessions;
    this.loops = loops;
  }

  CompletableFuture<List<ConnectionInfo>> top(Sort sort, int limit) {
    List<CompletableFuture<List<ConnectionInfo>>> parts = new ArrayList<>();
    for (EventExecutor loop : loops) {
      CompletableFuture<List<ConnectionInfo>> part = new CompletableFuture<>();
      loop.execute(() -> {
        List<ConnectionInfo> mine = new ArrayList<>();
        for (Session s : sessions.all()) {
          if (s.eventLoop() == loop) {
            mine.add(s.describe());
          }
        }
        part.complete(mine);
      });
      parts.add(part);
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      List<ConnectionInfo> all = new ArrayList<>();
      parts.forEach(p -> all.addAll(p.join()));
      all.sort(sort.descending);
      return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
    });
  }
}
