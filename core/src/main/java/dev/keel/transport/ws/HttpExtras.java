package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.spi.HealthCheck;
import dev.keel.spi.HttpRoute;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What extensions add to the HTTP side of the WebSocket port: routes by exact path, and the checks
 * {@code /healthz} reports. Filled before the listeners bind, read by every HTTP connection after.
 */
public final class HttpExtras {
  private final Map<String, HttpRoute> routes = new ConcurrentHashMap<>();
  private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();

  public void add(HttpRoute route, KeelConfig config) {
    String path = route.path();
    if (path == null || !path.startsWith("/") || path.equals("/healthz")
        || path.equals(config.get(CoreOptions.WS_PATH))) {
      throw new IllegalArgumentException("route path " + path + " is taken or invalid (/healthz and ws-path are the server's)");
    }
    if (routes.putIfAbsent(path, route) != null) {
      throw new IllegalArgumentException("two routes for " + path);
    }
  }

  public void add(HealthCheck check) {
    checks.add(check);
  }

  HttpRoute route(String path) {
    return routes.get(path);
  }

  /** The first check that is down, readiness checks first, or null when all are up. */
  HealthCheck firstDown() {
    HealthCheck degraded = null;
    for (HealthCheck c : checks) {
      if (!c.up().getAsBoolean()) {
        if (c.ready()) {
          return c;
        }
        if (degraded == null) {
          degraded = c;
        }
      }
    }
    return degraded;
  }
}
