package dev.keel.serve;

import static dev.keel.config.OptionSet.group;

import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import java.time.Duration;
import java.util.List;

/** The options of {@code keel serve} itself (beyond core, admin and cluster), declared once. */
public final class ServeOptions {
  private ServeOptions() {}

  public static final Option<String> API_KEY = Option.text("api-key", "SECRET", null)
      .optional()
      .secret("KEEL_API_KEY")
      .check(v -> v.length() >= 16 ? null : "must be at least 16 characters (or unset)")
      .describe("When set, POST /api/publish needs 'Authorization: Bearer KEY' (else 401); also $KEEL_API_KEY.")
      .details("When set, `POST /api/publish` needs `Authorization: Bearer KEY` (401 otherwise, compared in constant time). Also `$KEEL_API_KEY`.")
      .valid("at least 16 characters");

  public static final Option<Duration> NATIVE_HEAP_TRIM = Option.duration("native-heap-trim", Duration.ofSeconds(5))
      .range(Duration.ZERO, Duration.ofHours(1))
      .describe("How often to look whether a load has ended, to return the C heap's free memory to the OS then (0s: never).")
      .why("RSS comes back within seconds of a load's end; trimming only then (not on a clock) keeps the ~60 ms a trim costs out of a loaded server's latency.")
      .details("Every interval the server compares its activity (messages published and delivered, connections opened and closed) with the busiest interval since its last trim; when it has fallen to a tenth or less, the load has ended and the server asks the JVM to return glibc's free memory (`System.trim_native_heap`, the same as `jcmd PID System.trim_native_heap`). Under a steady load it never trims. Counted by `keel_native_heap_trims_total`. `0s` turns it off; on a platform without glibc it turns itself off and says so once.")
      .valid("0s (off) to 1h");

  public static final Option<Duration> WARMUP = Option.duration("warmup", Duration.ofSeconds(2))
      .range(Duration.ZERO, Duration.ofMinutes(1))
      .describe("Before the public listeners open, run the server's own broadcast path this long on a private loopback listener, so the JIT compiles it before any client connects (0s: off).")
      .why("Two seconds at the rate limit compile the fan-out and write path; a fresh server's first seconds under load otherwise had three times the p99 of the next ones. The ports open only once warm, so no client, and no harness that waits only for the port, meets a cold server.")
      .details("Before the public listeners open, the server binds a private listener on 127.0.0.1 (a free port; the public WebSocket listener's pipeline, event loops and bounds, but plaintext and without a PROXY header), connects 256 subscribers, one subscriber that never reads (its queue fills and conflates) and 8 publishers to it, each from its own 127.0.x.y address, on a private topic, and publishes at the per-connection rate limit for this long while 64 more subscribers join, spread over it (so that a connection's first message is part of what the JIT profiles). Then every warm-up connection closes cleanly, the server waits until it has ended them all (none holds a `max-connections` slot afterwards) and then, at most 3 s, until the JIT has gone 200 ms without compiling, so that the compilations the warm-up queued do not compete with the first clients for the CPU. Then it gives back what its load touched: a full collection (G1 shrinks the committed heap only after one) and, unless `native-heap-trim` is `0s`, a trim of the C heap (RSS just after start 140-147 MiB without, 119-125 MiB with). Only then does the private listener close and the WebSocket/HTTP and framed-TCP listeners open: until then their ports refuse connections. In all this long, plus the connecting (on one core, a cold JVM makes a 2 s warm-up take 4.5-9 s), plus at most 3 s, plus the collection (about 0.2 s). The traffic counts in the metrics like any other. Skipped, with one log line saying why, and the listeners open at once, when its 329 connections would be more than a quarter of `max-connections` or `max-sockets`, or twice them (both ends are in the process) more than a quarter of the file-descriptor limit, when the WebSocket listener is off, or when tokens are checked by public key only (with `auth-hmac-secret` the server signs a token for the warm-up topic alone); TLS, `proxy-protocol` and a non-loopback `host` do not stop it. `/healthz` keeps its readiness check `warmup` (down on the private listener meanwhile). `0s` turns it off (embedded servers and tests).")
      .valid("0s (off) to 1m");

  public static final Option<Integer> COMPILER_NICE = Option.count("compiler-nice", 10)
      .range(0, 19)
      .describe("The nice value (CPU priority, 0-19, higher is lower) the server gives the JIT's C2 compiler threads once it is warm, before the ports open (0: left as the JVM made them).")
      .why("A connect burst queues hundreds of C2 compilations; at an equal share of a one-core server they took half its CPU in a load's first second and set the broadcast p99. At nice 10 the event loops go first: broadcast p99 at 60,000 deliveries/s 25.1 against 55.0 ms, at 150,000/s 65.5 against 126.3 ms (docs/benchmarks.md, round 12); 19 did no better and leaves C2 less when the CPU stays saturated.")
      .details("Once the warm-up has run (or at start when it does not), the server runs `renice` on its C2 compiler threads (found by name in `/proc/self/task`), so that they compile in the time the event loops leave instead of taking an equal share of the CPU from them. C1 and every other thread keep their priority. Raising a nice value needs no privilege. The launcher starts the JVM with `-XX:-UseDynamicNumberOfCompilerThreads`, so that every compiler thread exists by then; without it, C2 threads the JVM adds later keep the priority of the thread that starts them. Where there is no `/proc` or no `renice` (util-linux), the server says so once in the log and changes nothing. Under a load that saturates the CPU, C2 still gets about a tenth of a core a loop wants at nice 10 (about 1.5 % at 19), so its compiles come later but still come. `0` turns it off.")
      .valid("0 (off) to 19");

  public static final OptionSet SET = OptionSet.of("Serve", List.of(group("HTTP publish", API_KEY),
      group("Process memory", NATIVE_HEAP_TRIM), group("Start-up", WARMUP, COMPILER_NICE)), List.of());
}
