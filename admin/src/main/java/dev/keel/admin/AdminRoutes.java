package dev.keel.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.config.KeelConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoints (docs/operations.md). Cheap ones answer on the admin event loop; the JDK's
 * profilers block, so they run on a virtual thread and answer through a future.
 */
final class AdminRoutes {
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final int MAX_JFR_SECONDS = 300;

  private final KeelConfig config;
  private final KeelMetrics metrics;
  private final MemoryProbe memory;
  private final ConnectionLedger ledger;
  private final AtomicBoolean recording = new AtomicBoolean();

  AdminRoutes(KeelConfig config, KeelMetrics metrics, MemoryProbe memory, ConnectionLedger ledger) {
    this.config = config;
    this.metrics = metrics;
    this.memory = memory;
    this.ledger = ledger;
  }

  CompletableFuture<AdminResponse> route(HttpMethod method, String uri, EventExecutor executor) {
    QueryStringDecoder q = new QueryStringDecoder(uri);
    String path = q.path();
    boolean get = HttpMethod.GET.equals(method);
    try {
      return switch (path) {
        case "/metrics" -> get ? done(AdminResponse.text(PROMETHEUS_TEXT, metrics.scrape())) : notAllowed("GET");
        case "/debug/memory" -> get ? done(json(memory.snapshot())) : notAllowed("GET");
        case "/debug/connections" -> get ? connections(q) : notAllowed("GET");
        case "/debug/heap" -> get ? heap(q) : notAllowed("GET");
        case "/debug/threads" -> get ? blocking(() -> AdminResponse.file(AdminResponse.JSON, Diagnostics.threadDump(),
            "threads.json")) : notAllowed("GET");
        case "/debug/jfr" -> get ? jfr(q, executor) : notAllowed("GET");
        case "/debug/gc" -> HttpMethod.POST.equals(method) ? gc() : notAllowed("POST");
        default -> done(AdminResponse.error(HttpResponseStatus.NOT_FOUND, "not_found", "no such path"));
      };
    } catch (IllegalArgumentException bad) {
      return done(AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "bad_request", bad.getMessage()));
    }
  }

  private CompletableFuture<AdminResponse> connections(QueryStringDecoder q) {
    ConnectionLedger.Sort sort = ConnectionLedger.Sort.parse(param(q, "sort", "queued"));
    int limit = intParam(q, "limit", 20, 1, ConnectionLedger.MAX_LIMIT);
    return ledger.top(sort, limit).thenApply(rows -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("sort", sort.name().toLowerCase(java.util.Locale.ROOT));
      body.put("limit", limit);
      body.put("connections", rows);
      return json(body);
    });
  }

  private CompletableFuture<AdminResponse> heap(QueryStringDecoder q) {
    int limit = intParam(q, "limit", 50, 1, 10_000);
    return blocking(() -> {
      List<Map<String, Object>> rows = Diagnostics.heapHistogram(limit);
      return json(Map.of("rows", rows));
    });
  }

  private CompletableFuture<AdminResponse> jfr(QueryStringDecoder q, EventExecutor executor) {
    int seconds = intParam(q, "seconds", 30, 1, MAX_JFR_SECONDS);
    if (!recording.compareAndSet(false, true)) {
      return done(AdminResponse.error(HttpResponseStatus.CONFLICT, "busy", "a recording is already running"));
    }
    CompletableFuture<AdminResponse> result = new CompletableFuture<>();
    Thread.ofVirtual().name("keel-jfr-start").start(() -> {
      try {
        Recording r = Diagnostics.startRecording(Duration.ofSeconds(seconds));
        // The wait is a timer on the admin loop, not a sleeping thread.
        executor.schedule(() -> Thread.ofVirtual().name("keel-jfr-dump").start(() -> {
          try {
            result.complete(AdminResponse.file("application/octet-stream", Diagnostics.finish(r), "keel.jfr"));
          } catch (Exception e) {
            result.completeExceptionally(e);
          } finally {
            recording.set(false);
          }
        }), seconds, TimeUnit.SECONDS);
      } catch (Exception e) {
        recording.set(false);
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private CompletableFuture<AdminResponse> gc() {
    if (!config.get(AdminOptions.ADMIN_ALLOW_GC)) {
      return done(AdminResponse.error(HttpResponseStatus.FORBIDDEN, "forbidden",
          "POST /debug/gc is off: start the server with --admin-allow-gc"));
    }
    return blocking(() -> {
      System.gc();
      return json(memory.snapshot());
    });
  }

  private interface Work {
    AdminResponse run() throws Exception;
  }

  private static CompletableFuture<AdminResponse> blocking(Work work) {
    CompletableFuture<AdminResponse> f = new CompletableFuture<>();
    Thread.ofVirtual().name("keel-admin-work").start(() -> {
      try {
        f.complete(work.run());
      } catch (Exception e) {
        log.warn("admin request failed", e);
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  private static CompletableFuture<AdminResponse> done(AdminResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static CompletableFuture<AdminResponse> notAllowed(String method) {
    return done(AdminResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "bad_request", "use " + method));
  }

  private static AdminResponse json(Object body) {
    try {
      return AdminResponse.json(HttpResponseStatus.OK, JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String param(QueryStringDecoder q, String name, String dflt) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? dflt : v.get(0);
  }

  private static int intParam(QueryStringDecoder q, String name, int dflt, int min, int max) {
    String v = param(q, name, null);
    if (v == null) {
      return dflt;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number between " + min + " and " + max);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
    }
    return n;
  }
}
