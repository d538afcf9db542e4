package dev.keel.load.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.load.client.Clients;
import dev.keel.load.client.Conn;
import dev.keel.load.client.ConnListener;
import dev.keel.load.client.RawConn;
import dev.keel.load.client.Transport;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code abuse}: peers that misbehave, one connection each, all at once: an oversized frame, invalid
 * JSON, a message that is not an object, an unknown op, a binary frame (WebSocket), a flood over the
 * rate limit, a handshake that never finishes, a half-closed peer and a silent one. Reports what the
 * server answered to each, and checks that it still serves a fresh client and {@code /healthz}.
 */
public final class AbuseScenario implements Scenario {
  /**
   * @param maxMessageSize the server's --max-message-size: the oversized frame is one byte more
   * @param floodCount requests the flood sends at once
   * @param probeTimeout how long each probe waits for the server
   */
  public record Params(int maxMessageSize, int floodCount, Duration probeTimeout) {}

  /** What one probe sent, what came back, and whether that is what Keel's protocol says. */
  record Outcome(String probe, String sent, String expected, List<String> answered, String ended, Long endedAfterMs,
                 boolean asExpected) {}

  private static final int KEEP_REPLIES = 8;
  private final Params p;

  public AbuseScenario(Params p) {
    this.p = p;
  }

  @Override
  public String name() {
    return "abuse";
  }

  @Override
  public void run(Run run) throws Exception {
    Transport t = run.settings.transport();
    List<CompletableFuture<Outcome>> probes = new ArrayList<>();
    long timeout = p.probeTimeout().toMillis();
    probes.add(oversized(run, t, timeout));
    probes.add(badRequest(run, t, "invalid-json", "{\"op\":", "invalid JSON", timeout));
    probes.add(badRequest(run, t, "not-an-object", "[1,2,3]", "one JSON object", timeout));
    probes.add(badRequest(run, t, "unknown-op", "{\"op\":\"frobnicate\"}", "unknown op", timeout));
    if (t == Transport.WS) {
      probes.add(binary(run, timeout));
    }
    probes.add(flood(run, t, timeout));
    probes.add(handshake(run, t, timeout));
    probes.add(halfOpen(run, t, timeout));
    probes.add(silent(run, t, timeout));
    List<Map<String, Object>> outcomes = new ArrayList<>();
    int unexpected = 0;
    for (CompletableFuture<Outcome> f : probes) {
      Outcome o = f.get(timeout + 10_000, TimeUnit.MILLISECONDS);
      unexpected += o.asExpected() ? 0 : 1;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("probe", o.probe());
      m.put("sent", o.sent());
      m.put("expected", o.expected());
      m.put("answered", o.answered());
      m.put("ended", o.ended());
      m.put("endedAfterMs", o.endedAfterMs());
      m.put("asExpected", o.asExpected());
      outcomes.add(m);
      run.err.printf("%nabuse %-14s %s: answered %s, %s%n", o.probe(), o.asExpected() ? "as expected" : "UNEXPECTED",
          o.answered(), o.ended() == null ? "still open" : o.ended() + " after " + o.endedAfterMs() + " ms");
    }
    run.results.put("probes", outcomes);
    run.results.put("unexpectedAnswers", unexpected);
    String up = stillUp(run, t);
    run.results.put("serverStayedUp", up == null);
    if (up != null) {
      throw new RunFailed("the server did not stay up: " + up);
    }
  }

  /** A probe connection that keeps the first replies it gets. */
  private static final class Probe implements ConnListener {
    final List<String> replies = new CopyOnWriteArrayList<>();
    final CompletableFuture<Long> closed = new CompletableFuture<>();
    final long start = System.nanoTime();

    @Override
    public void onMsg(Conn conn, io.netty.buffer.ByteBuf json) {
      keep(json.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void onReply(Conn conn, JsonNode reply) {
      keep(reply.toString());
    }

    private void keep(String s) {
      if (replies.size() < KEEP_REPLIES) {
        replies.add(s.length() > 200 ? s.substring(0, 200) + "..." : s);
      }
    }

    @Override
    public void onClosed(Conn conn) {
      closed.complete((System.nanoTime() - start) / 1_000_000);
    }

    Long closedWithin(long ms) {
      try {
        return closed.get(ms, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        return null;
      }
    }
  }

  private static CompletableFuture<Outcome> async(Run run, ProbeBody body) {
    CompletableFuture<Outcome> f = new CompletableFuture<>();
    Thread.ofVirtual().name("abuse-probe").start(() -> {
      try {
        f.complete(body.run());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  @FunctionalInterface
  private interface ProbeBody {
    Outcome run() throws Exception;
  }

  private Conn open(Run run, Transport t, Probe probe) throws Exception {
    Conn c = run.open(t, Clients.Options.DEFAULT, probe);
    return c.ready().get(run.settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private CompletableFuture<Outcome> oversized(Run run, Transport t, long timeout) {
    return async(run, () -> {
      Probe probe = new Probe();
      Conn c = open(run, t, probe);
      int n = p.maxMessageSize() + 1;
      String expected = t == Transport.TCP ? "error too_large, then close" : "close 1009";
      byte[] body = new byte[n];
      java.util.Arrays.fill(body, (byte) ' ');
      body[0] = '{';
      body[n - 1] = '}';
      c.sendPayload(Unpooled.wrappedBuffer(body), false);
      Long after = probe.closedWithin(timeout);
      boolean ok = after != null && c.endedBy() != null
          && (t == Transport.TCP ? c.endedBy().contains("too_large") : c.endedBy().contains("1009"));
      return new Outcome("oversized", n + "-byte message", expected, probe.replies, c.endedBy(), after, ok);
    });
  }

  private CompletableFuture<Outcome> badRequest(Run run, Transport t, String name, String text, String message,
                                                long timeout) {
    return async(run, () -> {
      Probe probe = new Probe();
      Conn c = open(run, t, probe);
      c.send(text);
      JsonNode pong = c.request("{\"op\":\"ping\"").get(timeout, TimeUnit.MILLISECONDS);
      boolean ok = !probe.replies.isEmpty() && probe.replies.get(0).contains("bad_request")
          && probe.replies.get(0).contains(message) && "pong".equals(pong.path("op").asText()) && c.isOpen();
      c.closeNormally();
      return new Outcome(name, text, "error bad_request (" + message + "), stays open", probe.replies,
          ok ? null : c.endedBy(), null, ok);
    });
  }

  private CompletableFuture<Outcome> binary(Run run, long timeout) {
    return async(run, () -> {
      Probe probe = new Probe();
      Conn c = open(run, Transport.WS, probe);
      c.sendPayload(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), true);
      JsonNode pong = c.request("{\"op\":\"ping\"").get(timeout, TimeUnit.MILLISECONDS);
      boolean ok = !probe.replies.isEmpty() && probe.replies.get(0).contains("unsupported")
          && "pong".equals(pong.path("op").asText());
      c.closeNormally();
      return new Outcome("binary-frame", "3-byte binary frame", "error unsupported, stays open", probe.replies,
          null, null, ok);
    });
  }

  private CompletableFuture<Outcome> flood(Run run, Transport t, long timeout) {
    return async(run, () -> {
      Probe probe = new Probe();
      Conn c = open(run, t, probe);
      long start = System.nanoTime();
      List<CompletableFuture<JsonNode>> replies = new ArrayList<>(p.floodCount());
      for (int i = 0; i < p.floodCount(); i++) {
        replies.add(c.request("{\"op\":\"ping\""));
      }
      int answered = 0;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
      for (CompletableFuture<JsonNode> r : replies) {
        try {
          r.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          answered++;
        } catch (Exception e) {
          break; // closed (rate_limited) or out of time
        }
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      boolean throttled = answered == p.floodCount();
      boolean cut = !c.isOpen() && c.endedBy() != null && (c.endedBy().contains("rate") || c.endedBy().contains("1008"));
      String summary = answered + " of " + p.floodCount() + " pings answered in " + ms + " ms";
      c.closeNormally();
      return new Outcome("flood", p.floodCount() + " pings at once",
          "throttled (every ping answered, paced by --rate-limit) or cut (rate_limited / 1008)",
          List.of(summary), throttled ? null : c.endedBy(), ms, throttled || cut);
    });
  }

  private CompletableFuture<Outcome> handshake(Run run, Transport t, long timeout) {
    return async(run, () -> {
      if (t == Transport.TCP) {
        Probe probe = new Probe();
        Conn c = run.open(t, Clients.Options.DEFAULT, probe);
        c.goSilent(); // not even a heartbeat: that would complete the handshake
        c.ready().get(run.settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Long after = probe.closedWithin(timeout);
        boolean ok = after != null && c.endedBy() != null && c.endedBy().contains("handshake_timeout");
        if (after == null) {
          c.reset();
        }
        return new Outcome("handshake", "nothing after connecting", "error handshake_timeout, then close",
            probe.replies, c.endedBy(), after, ok);
      }
      RawConn raw = run.clients.openRaw(run.settings.target().wsPort());
      raw.ready().get(run.settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
      long start = System.nanoTime();
      raw.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
      boolean closed = raw.channel().closeFuture().await(timeout, TimeUnit.MILLISECONDS);
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (!closed) {
        raw.channel().close();
      }
      // A request begun and never finished is answered 408 (docs/protocol.md), then the socket closes.
      return new Outcome("handshake", "half an upgrade request, never finished", "408 request_timeout, then close",
          raw.received().isEmpty() ? List.of() : List.of(raw.received()), closed ? "closed by server" : null,
          closed ? ms : null, closed && raw.received().startsWith("HTTP/1.1 408"));
    });
  }

  private CompletableFuture<Outcome> halfOpen(Run run, Transport t, long timeout) {
    return async(run, () -> {
      Probe probe = new Probe();
      Conn c = open(run, t, probe);
      c.request("{\"op\":\"sub\",\"topic\":\"abuse\"").get(timeout, TimeUnit.MILLISECONDS);
      c.shutdownOutput();
      Long after = probe.closedWithin(timeout);
      if (after == null) {
        c.reset();
      }
      return new Outcome("half-closed", "subscribe, then FIN (shutdown output) and keep reading",
          "the server ends the connection", probe.replies, after == null ? null : c.endedBy(), after, after != null);
    });
  }

  private CompletableFuture<Outcome> silent(Run run, Transport t, long timeout) {
    return async(run, () -> {
      Probe probe = new Probe();
      Conn c = open(run, t, probe);
      c.request("{\"op\":\"sub\",\"topic\":\"abuse\"").get(timeout, TimeUnit.MILLISECONDS);
      c.goSilent();
      Long after = probe.closedWithin(timeout);
      if (after == null) {
        c.reset();
      }
      return new Outcome("silent-peer", "subscribe, then never send again (no pongs, no heartbeats)",
          "the server's idle timeout ends it (only seen when --probe-timeout is longer than --idle-timeout)",
          probe.replies, after == null ? null : c.endedBy(), after,
          after != null && c.endedBy() != null && c.endedBy().contains("idle"));
    });
  }

  /** Null when a fresh client gets its pong and /healthz answers 200; else what went wrong. */
  private String stillUp(Run run, Transport t) {
    try {
      Conn c = open(run, t, new Probe());
      JsonNode pong = c.request("{\"op\":\"ping\"").get(5, TimeUnit.SECONDS);
      c.closeNormally();
      if (!"pong".equals(pong.path("op").asText())) {
        return "a fresh client's ping got " + pong;
      }
    } catch (Exception e) {
      return "a fresh client could not connect and ping: " + e;
    }
    String host = run.settings.target().address().getHostAddress();
    URI health = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
        + run.settings.target().wsPort() + "/healthz");
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? null : "/healthz answered " + r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return "/healthz did not answer: " + e;
    }
  }
}
