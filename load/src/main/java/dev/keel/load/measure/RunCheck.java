package dev.keel.load.measure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a run did what it set out to, before anyone reads its memory verdict: a run whose
 * connections never reached the target, whose connects were mostly refused, or that delivered nothing
 * it should have, proves nothing about leaks, however flat its figures are. Such a run fails (exit 2)
 * and says why, naming the server's own reasons for refusing, read from its close counters.
 *
 * <p>Usage: {@code String why = RunCheck.shortfall(what, refusals); if (why != null) failure = why;}
 */
public final class RunCheck {
  /** The close reasons that are the server refusing a connection, with what to change for a load test. */
  private static final Map<String, String> REFUSALS = new LinkedHashMap<>();

  static {
    REFUSALS.put("connect_rate", "--connect-rate-per-ip / --connect-burst-per-ip");
    REFUSALS.put("ip_limit", "--max-connections-per-ip");
    REFUSALS.put("server_full", "--max-connections");
    REFUSALS.put("unauthorized", "the connect token");
    REFUSALS.put("proxy_protocol", "--trusted-proxies / --proxy-protocol");
    REFUSALS.put("handshake_timeout", "--handshake-timeout");
  }

  private RunCheck() {}

  /**
   * What a run aimed at and what it got.
   *
   * @param target connections it meant to hold at once (0: no aim)
   * @param peak the most that were established at once
   * @param attempts connections it tried to open
   * @param failed attempts that never became a connection (refused, reset, timed out)
   * @param delivers whether its subscribers should have received messages
   * @param delivered messages they received
   */
  public record Outcome(int target, int peak, long attempts, long failed, boolean delivers, long delivered) {}

  /**
   * Why the run failed, or null when it did what it meant to.
   *
   * @param serverCloses the server's close counters over the run (end minus baseline, by reason), or
   *     null when it gave none
   */
  public static String shortfall(Outcome o, Map<String, Long> serverCloses) {
    List<String> what = new ArrayList<>();
    if (o.target() > 0 && o.peak() < o.target()) {
      what.add(String.format("connections never reached the target: at most %,d of %,d were established at once",
          o.peak(), o.target()));
    }
    // Only a run that means to hold connections: abuse probes are refused on purpose.
    if (o.target() > 0 && o.attempts() > 0 && o.failed() * 2 > o.attempts()) {
      what.add(String.format("connects were mostly refused: %,d of %,d attempts failed", o.failed(), o.attempts()));
    }
    if (o.delivers() && o.delivered() == 0) {
      what.add("nothing was delivered to the subscribers");
    }
    if (what.isEmpty()) {
      return null;
    }
    return String.join("; ", what) + ". " + reasons(serverCloses);
  }

  /** The server's refusals over the run, each with the option behind it, or why they are unknown. */
  static String reasons(Map<String, Long> serverCloses) {
    if (serverCloses == null) {
      return "The server's reasons are unknown: it gave no close counters (no --admin-url answered with"
          + " GET /debug/memory).";
    }
    List<String> named = new ArrayList<>();
    List<String> options = new ArrayList<>();
    for (Map.Entry<String, String> r : REFUSALS.entrySet()) {
      long n = serverCloses.getOrDefault(r.getKey(), 0L);
      if (n > 0) {
        named.add(String.format("%s %,d", r.getKey(), n));
        options.add(r.getValue());
      }
    }
    if (named.isEmpty()) {
      return "The server refused none of them by its close counters (" + serverCloses
          + "): look at the connect failures on this side (--connect-timeout, --max-inflight-connects).";
    }
    boolean perAddress = serverCloses.getOrDefault("connect_rate", 0L) + serverCloses.getOrDefault("ip_limit", 0L) > 0;
    return "The server refused them: " + String.join(", ", named) + " (its close counters). For a load test,"
        + " raise " + String.join(", ", options) + " on the server"
        + (perAddress ? ", or spread the clients over more source addresses (--source-addresses)" : "") + ".";
  }

  /** {@code end - baseline} for each reason (a reason only at the end counts from 0); null if either is missing. */
  public static Map<String, Long> delta(Map<String, Long> baseline, Map<String, Long> end) {
    if (baseline == null || end == null) {
      return null;
    }
    Map<String, Long> d = new LinkedHashMap<>();
    end.forEach((k, v) -> {
      long n = v - baseline.getOrDefault(k, 0L);
      if (n > 0) {
        d.put(k, n);
      }
    });
    return d;
  }
}
