package dev.keel.admin;

import static dev.keel.config.OptionSet.group;

import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import java.time.Duration;
import java.util.List;

/** The admin listener's options, declared once (docs/configuration.md is generated from them). */
public final class AdminOptions {
  private AdminOptions() {}

  public static final Option<String> ADMIN_HOST = Option.text("admin-host", "ADDR", "127.0.0.1")
      .check(v -> v.isBlank() ? "must not be empty" : null)
      .describe("Bind address of the admin listener (metrics, debug endpoints, dashboard).")
      .details("Bind address of the admin listener (`/metrics`, `/debug/*`). Keep it on loopback or a private interface.")
      .valid("not empty");
  public static final Option<Integer> ADMIN_PORT = Option.port("admin-port", 9100)
      .describe("Admin listener: GET /metrics, /debug/*, the dashboard at /. Never the public port.")
      .details("The admin listener (`/metrics`, `/debug/*`, the dashboard at `/`). `0` binds any free port; `off` starts none. Never served on the public port. An embedded application has an admin listener only if it adds the `keel-admin` extension.");
  public static final Option<String> ADMIN_TOKEN = Option.text("admin-token", "TOKEN", null)
      .optional()
      .secret("KEEL_ADMIN_TOKEN")
      .check(v -> v.length() >= 16 ? null : "must be at least 16 characters (or unset), was " + v.length())
      .describe("When set, every admin request needs 'Authorization: Bearer TOKEN' (else 401); also $KEEL_ADMIN_TOKEN.")
      .why("No token: the admin listener relies on binding to loopback.")
      .details("When set, every admin request needs `Authorization: Bearer TOKEN` (401 otherwise; compared in constant time). Also read from the environment variable `KEEL_ADMIN_TOKEN`, which keeps it out of `ps` (a flag still wins). Shown as `(set)` by `--help`.")
      .valid("unset, or at least 16 characters");
  public static final Option<Duration> ADMIN_REQUEST_TIMEOUT = Option.duration("admin-request-timeout", Duration.ofSeconds(10))
      .range(Duration.ofMillis(1), Option.MAX_DURATION)
      .describe("An admin connection must send each request in full within this (from connecting, or from its last answer).")
      .why("A scrape or a curl sends its request at once; a socket held open without one is closed soon.")
      .details("An admin connection must send each request in full within this, counted from connecting or from the previous answer; otherwise the connection is closed. Holding a socket needs no token, so this is what frees sockets a client holds without asking anything. The answer itself is not timed (a heap dump or a 5-minute JFR recording takes as long as it takes).");
  public static final Option<Integer> ADMIN_MAX_CONNECTIONS = Option.count("admin-max-connections", 16)
      .range(1, 10_000)
      .describe("Admin sockets at once: a reserve within max-sockets that the public ports cannot take.")
      .why("Room for Prometheus, a dashboard and a few operators; small enough to cost nothing.")
      .details("Sockets the admin listener may hold at once. They are set aside within `max-sockets`, so the admin port answers when the public ports are full; one more is closed at once.");
  public static final Option<Integer> ADMIN_MAX_CONNECTIONS_PER_IP = Option.count("admin-max-connections-per-ip", 8)
      .range(1, 10_000)
      .describe("Admin sockets one client address may hold at once; one more is closed at once.")
      .why("Half the admin reserve: one address cannot lock the others out.")
      .details("Admin sockets one client address may hold at once (the socket's peer address); one more is closed at once, before any byte is read.")
      .valid("1 to 10,000, at most `admin-max-connections`");
  public static final Option<Boolean> ADMIN_ALLOW_GC = Option.flag("admin-allow-gc", false)
      .describe("Allow POST /debug/gc (a full, stop-the-world GC).")
      .why("A forced full GC stops the world: off unless asked for.")
      .details("Allows `POST /debug/gc`, a full stop-the-world GC for before/after comparisons; 403 otherwise.");

  public static final OptionSet SET = OptionSet.of("Admin", List.of(
      group("Admin listener", ADMIN_HOST, ADMIN_PORT, ADMIN_TOKEN, ADMIN_REQUEST_TIMEOUT, ADMIN_MAX_CONNECTIONS,
          ADMIN_MAX_CONNECTIONS_PER_IP, ADMIN_ALLOW_GC)),
      List.of(c -> c.get(ADMIN_MAX_CONNECTIONS_PER_IP) <= c.get(ADMIN_MAX_CONNECTIONS) ? null
          : "admin-max-connections-per-ip (" + c.get(ADMIN_MAX_CONNECTIONS_PER_IP) + ") must not exceed admin-max-connections ("
              + c.get(ADMIN_MAX_CONNECTIONS) + ")"));
}
