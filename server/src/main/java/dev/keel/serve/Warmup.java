package dev.keel.serve;

import dev.keel.api.Keel;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Ports;
import dev.keel.spi.Extension;
import dev.keel.spi.HealthCheck;
import dev.keel.spi.Host;
import dev.keel.spi.Readings;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the server's own publish → fan-out → write path over loopback before the public listeners open,
 * so that the JIT has compiled it before clients' traffic depends on it, and no client meets a cold
 * server: until it has run, the public ports refuse connections.
 *
 * <p>Why: a cold JVM runs a broadcast's code interpreted, then compiled without the profile of the
 * branches it has not seen yet (a subscriber that stops reading, a queue that conflates), and
 * recompiles each time one appears. Measured with the side-by-side harness at 60,000 deliveries/s,
 * the first 10 s of a fresh server had a p99 three times that of the next 10 s (docs/benchmarks.md,
 * round 5). A restarted node meets exactly that: every client reconnecting at once, under full load.
 * And while the warm-up ran with the public listener already open (round 7), a client or harness that
 * waited for the port rather than {@code /healthz} met the cold server, its connects competing with
 * the warm-up's on a one-core server.
 *
 * <p>Where: a private listener ({@link Keel.Builder#warmup}) on 127.0.0.1, a free port, with the public
 * WebSocket listener's pipeline, event loops and bounds, so the JIT profiles the code clients will run;
 * plaintext and without a PROXY header whatever the public listener takes, so that it runs in those
 * configurations too (TLS and the PROXY decoder sit in front of the same pipeline: behind them the same
 * code runs, and only their own is left cold, TLS's mostly native with BoringSSL). Keel closes it when
 * {@link #run} returns, then binds the public listeners.
 *
 * <p>What it does: {@value #SUBSCRIBERS} subscribers and one that never reads (its queue fills and
 * conflates, as a slow consumer's does) on a private topic, and {@value #PUBLISHERS} publishers at
 * the per-connection rate limit, for {@code warmup}, while {@value #JOINERS} more subscribers join,
 * spread over it; then every connection closes cleanly, the warm-up waits until the server has ended
 * them all (so that none holds a {@code max-connections} slot when the public listeners open), and
 * then until the JIT has compiled what the warm-up queued ({@link #settleCompiler}).
 *
 * <p>Why so many, and why joiners (docs/benchmarks.md, round 7): with 32 subscribers the fan-out
 * loops ({@code Delivery.run}, {@code DrainBatch.run}) never reached C2 in the warm-up, and C2
 * compiled the per-connection queue without the branch a connection's first message takes (its
 * queue is made on first use): every subscriber of the real load then had its first message, that
 * code hit an uncommon trap and was compiled again, and on a one-core server the compiler took 30–65
 * ms of the worst messages' windows (a scheduler trace). Joiners keep first messages happening while
 * the profile is taken.
 *
 * <p>Each connection comes from its own 127.0.x.y address, so the warm-up uses no address's connect budget
 * that a real client (or a local proxy) might need. Its traffic is counted in the metrics like any
 * other. It is skipped, and says why, where it cannot run: the WebSocket listener off, its connections
 * crowding a bound, or tokens checked by public key only; then the public listeners open at once.
 * Until it has run, {@code /healthz} (on the private listener meanwhile) reports the check
 * {@code warmup} down; an embedder-visible check that costs nothing once the port opens only when warm.
 */
final class Warmup implements Extension, Keel.Warmup {
  private static final Logger log = LoggerFactory.getLogger(Warmup.class);
  static final int SUBSCRIBERS = 256;
  static final int PUBLISHERS = 8;
  static final int JOINERS = 64;
  /** Every connection the warm-up opens; it runs only where that is at most a quarter of max-connections. */
  static final int CONNECTIONS = SUBSCRIBERS + 1 + PUBLISHERS + JOINERS;
  private static final Duration SETTLE_CAP = Duration.ofSeconds(3);
  private static final Duration SETTLE_QUIET = Duration.ofMillis(200);
  private static final Duration SETTLE_LOOK = Duration.ofMillis(20);
  /** How long the server may take to end the connections the warm-up has closed (it takes milliseconds). */
  private static final Duration ENDED_CAP = Duration.ofSeconds(5);
  private static final int WINDOW = 32;

  private final KeelConfig config;
  private final CompilerNice compilerNice;
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile Readings readings;
  /** The private listener's port while and after the warm-up ran, else -1 (for tests). */
  private volatile int port = -1;

  Warmup(KeelConfig config, CompilerNice compilerNice) {
    this.config = config;
    this.compilerNice = compilerNice;
  }

  /**
   * Sets this warm-up to run before {@code keel}'s public listeners open where it can; where it cannot,
   * says why (once, in the log) and leaves them to open at once.
   */
  void addTo(Keel.Builder keel) {
    String skip = skipReason(config);
    if (skip == null) {
      keel.warmup(this);
      return;
    }
    if (!"off".equals(skip)) {
      log.info("warm-up skipped: {}", skip);
    }
    done.set(true);
  }

  /** /healthz answers 503 {@code starting} until the warm-up has run (kept for embedders' probes). */
  @Override
  public void start(Host host) {
    readings = host.readings();
    host.health(HealthCheck.readiness("warmup", done::get));
  }

  @Override
  public void close() {}

  /**
   * Runs the warm-up against {@code listener}, waits until the server has ended its connections and the
   * JIT has finished what it queued (blocking: about {@code warmup} plus the connecting, plus at most
   * 3 s), then reports ready. A failure ends it early, logged: the server starts cold rather than not at
   * all.
   */
  @Override
  public void run(InetSocketAddress listener) {
    port = listener.getPort();
    try {
      run(config, listener, readings);
    } finally {
      // The warm-up's compilations are done (or given up on): from here on C2 goes after the loops.
      compilerNice.apply();
      done.set(true);
    }
  }

  /**
   * When no warm-up will run, lowers the C2 threads' priority at once (compiler-nice). Called before the
   * server starts: {@code done} is already set then only if {@link #addTo} skipped the warm-up.
   */
  void lowerCompilerIfNotWarming() {
    if (done.get()) {
      compilerNice.apply();
    }
  }

  /** The private listener's port once the warm-up has run, else -1. */
  int port() {
    return port;
  }

  /** Why the warm-up cannot run against this configuration, or null when it can. */
  static String skipReason(KeelConfig config) {
    if (config.get(ServeOptions.WARMUP).isZero()) {
      return "off";
    }
    if (config.get(CoreOptions.WS_PORT) == Ports.OFF) {
      return "the WebSocket listener is off"; // it would compile a path no client takes
    }
    // It takes at most a quarter of any connection or descriptor bound: both ends of each of its
    // connections are in this process, so under a low `ulimit -n` it would be the one exhausting it.
    String crowded = crowded("max-connections", config.get(CoreOptions.MAX_CONNECTIONS), 1);
    if (crowded == null) {
      crowded = crowded("max-sockets", config.get(CoreOptions.MAX_SOCKETS), 1); // 0: derived from the fds
    }
    if (crowded == null) {
      crowded = crowded("the file-descriptor limit", descriptorLimit(), 2);
    }
    if (crowded != null) {
      return crowded;
    }
    if (config.get(CoreOptions.AUTH_PUBLIC_KEY) != null && config.get(CoreOptions.AUTH_HMAC_SECRET) == null) {
      return "tokens are checked by public key only (the server cannot make one for itself)";
    }
    return null;
  }

  private static void run(KeelConfig config, InetSocketAddress listener, Readings readings) {
    long started = System.nanoTime();
    try {
      long delivered = exercise(config, listener, config.get(ServeOptions.WARMUP));
      long exercised = System.nanoTime();
      boolean ended = awaitEnded(readings);
      long closed = System.nanoTime();
      boolean settled = settleCompiler();
      long compiled = System.nanoTime();
      tidy(config);
      log.info("warm-up: {} deliveries in {} ms; then {} ms for the server to end its connections{}, {} ms for the JIT {},"
          + " {} ms to give back the memory it touched",
          delivered, (exercised - started) / 1_000_000, (closed - exercised) / 1_000_000,
          ended ? "" : " (some still open; gave up waiting)", (compiled - closed) / 1_000_000,
          settled ? "to finish compiling" : "(still compiling; gave up waiting)", (System.nanoTime() - compiled) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      log.info("warm-up ended early: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Gives back what the warm-up's load touched before the first client comes: a full collection (its
   * garbage filled the young generation, and G1 shrinks the committed heap to the free ratios only after
   * a collection; the periodic one comes 10 s later at the earliest), then, unless
   * {@code native-heap-trim} is off, a trim of the C heap. Measured right after {@code /healthz} turned
   * 200: RSS 147 MiB without, 120 MiB with (docs/benchmarks.md, round 8). It costs the start tens of
   * milliseconds on the calling thread, never a loop's time, as no client is connected yet.
   */
  static void tidy(KeelConfig config) {
    System.gc(); // a no-op under -XX:+DisableExplicitGC, which is the operator's to choose
    if (config.get(ServeOptions.NATIVE_HEAP_TRIM).isZero()) {
      return;
    }
    try {
      NativeHeapTrim.trimNow();
    } catch (Exception | LinkageError e) {
      log.debug("warm-up: no trim of the C heap ({})", e.toString()); // NativeHeapTrim says so at its first trim
    }
  }

  /**
   * Waits, at most {@link #ENDED_CAP}, until no {@code max-connections} slot is in use. The warm-up's
   * sockets have each read the server's FIN, but the server frees a slot just after it sends that, on its
   * event loop; every slot is the warm-up's, as the public listeners are not open yet.
   */
  private static boolean awaitEnded(Readings readings) throws InterruptedException {
    long giveUp = System.nanoTime() + ENDED_CAP.toNanos();
    while (readings.reservedSlots() > 0) {
      if (System.nanoTime() >= giveUp) {
        return false;
      }
      Thread.sleep(SETTLE_LOOK.toMillis()); // a reading every SETTLE_LOOK, on the warm-up's own thread
    }
    return true;
  }

  private static long exercise(KeelConfig config, InetSocketAddress to, Duration length)
      throws IOException, InterruptedException {
    String topic = "keel.warmup." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    String token = token(config.get(CoreOptions.AUTH_HMAC_SECRET), topic);
    String path = config.get(CoreOptions.WS_PATH);
    String sub = "{\"op\":\"sub\",\"topic\":\"" + topic + "\"}";
    String pub = "{\"op\":\"pub\",\"topic\":\"" + topic + "\",\"data\":{\"pad\":\"" + "x".repeat(512) + "\"}}";
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong delivered = new AtomicLong();
    List<WarmupSocket> sockets = new ArrayList<>();
    List<Thread> publishers = new ArrayList<>();
    try {
      int address = 2;
      for (int i = 0; i < SUBSCRIBERS; i++) {
        WarmupSocket s = subscribed(sockets, source(address++), to, path, token, 0, sub);
        Thread.ofVirtual().name("keel-warmup-sub").start(() -> read(s, stop, delivered)); // ends with its socket
      }
      subscribed(sockets, source(address++), to, path, token, 4_096, sub); // never read
      List<WarmupSocket> publishing = new ArrayList<>();
      for (int i = 0; i < PUBLISHERS; i++) {
        WarmupSocket p = new WarmupSocket(source(address++), to, path, token, 0);
        sockets.add(p);
        publishing.add(p);
      }
      long deadline = System.nanoTime() + length.toNanos(); // the length is publishing time, connecting apart
      for (WarmupSocket p : publishing) {
        publishers.add(Thread.ofVirtual().name("keel-warmup-pub").start(() -> publish(p, pub, deadline, stop)));
      }
      // The joiners, evenly spread over the publishing: each gets its first message while the fan-out
      // code is being profiled (pacing, not synchronisation: nothing waits on another thread here).
      for (int j = 0; j < JOINERS && System.nanoTime() < deadline; j++) {
        LockSupport.parkNanos(deadline - length.toNanos() * (JOINERS - j) / JOINERS - System.nanoTime());
        WarmupSocket s = subscribed(sockets, source(address++), to, path, token, 0, sub);
        Thread.ofVirtual().name("keel-warmup-sub").start(() -> read(s, stop, delivered));
      }
      for (Thread t : publishers) {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 2_000));
      }
    } finally {
      stop.set(true);
      for (WarmupSocket s : sockets) {
        s.close();
      }
    }
    return delivered.get();
  }

  /**
   * Waits, at most {@link #SETTLE_CAP}, until the JIT has compiled for {@link #SETTLE_QUIET} without
   * a pause: the warm-up queued compilations of everything it ran, and a server reported ready while
   * they still run would have them compete with its first clients for the CPU. Without a
   * compilation-time reading (a JVM without a JIT's bean) there is nothing to wait for.
   *
   * @return whether the JIT went quiet within the cap
   */
  static boolean settleCompiler() throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return true;
    }
    long giveUp = System.nanoTime() + SETTLE_CAP.toNanos();
    long last = jit.getTotalCompilationTime();
    long quietSince = System.nanoTime();
    while (System.nanoTime() < giveUp) {
      Thread.sleep(SETTLE_LOOK.toMillis()); // a reading every SETTLE_LOOK, on the warm-up's own thread
      long now = jit.getTotalCompilationTime();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= SETTLE_QUIET.toNanos()) {
        return true;
      }
    }
    return false;
  }

  /** Why {@code limit} (0 or less: none) has no room for the warm-up, taking {@code each} of it per connection; null if it has. */
  private static String crowded(String bound, long limit, int each) {
    if (limit <= 0 || limit >= 4L * each * CONNECTIONS) {
      return null;
    }
    return bound + " (" + limit + ") leaves no room for its " + CONNECTIONS + " connections"
        + (each == 2 ? ", both ends in this process" : "") + " (it takes at most a quarter)";
  }

  /** {@code ulimit -n}, or -1 where the JDK cannot tell (core's own reading is not public API). */
  static long descriptorLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount() : -1;
  }

  /** A connection from {@code from}, in {@code sockets} (closed at the end) before anything can fail, subscribed. */
  private static WarmupSocket subscribed(List<WarmupSocket> sockets, InetAddress from, InetSocketAddress to, String path,
      String token, int receiveBuffer, String sub) throws IOException {
    WarmupSocket s = new WarmupSocket(from, to, path, token, receiveBuffer);
    sockets.add(s);
    s.send(sub);
    s.flush();
    return s;
  }

  /** 127.0.x.y for the n-th warm-up connection (n from 2, so never 127.0.0.1 itself). */
  private static InetAddress source(int n) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 0, (byte) (n >>> 8), (byte) n});
  }

  private static void read(WarmupSocket s, AtomicBoolean stop, AtomicLong delivered) {
    try {
      while (!stop.get()) {
        int op = s.readFrame();
        if (op < 0 || op == 8) {
          return;
        }
        if (op == 1) {
          delivered.incrementAndGet();
        }
      }
    } catch (SocketTimeoutException quiet) {
      // the publishers have stopped
    } catch (IOException e) {
      // closed under us at the end
    }
  }

  /**
   * Publishes in windows of {@value #WINDOW} acknowledged messages: past the rate limit the server
   * stops reading and its acknowledgements slow down, so the publisher never gets further ahead than
   * a window (flooding the socket instead would leave seconds of backlog behind its close).
   */
  private static void publish(WarmupSocket p, String pub, long deadline, AtomicBoolean stop) {
    try {
      long id = 0;
      while (!stop.get() && System.nanoTime() < deadline) {
        for (int i = 0; i < WINDOW; i++) {
          p.send(pub.substring(0, pub.length() - 1) + ",\"id\":" + (++id) + "}");
        }
        p.flush();
        for (int acked = 0; acked < WINDOW; ) {
          int op = p.readFrame();
          if (op < 0 || op == 8) {
            return;
          }
          if (op == 1) {
            acked++;
          }
        }
      }
    } catch (IOException e) {
      // closed at the end, or a read timed out: the warm-up is over either way
    }
  }

  /** An HS256 token for the warm-up topic only, valid for a minute; null without a secret. */
  static String token(String hmacSecret, String topic) {
    if (hmacSecret == null) {
      return null;
    }
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long exp = System.currentTimeMillis() / 1000 + 60;
    String head = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = b64.encodeToString(("{\"sub\":\"keel-warmup\",\"exp\":" + exp + ",\"keel\":{\"sub\":[\"" + topic
        + "\"],\"pub\":[\"" + topic + "\"]}}").getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(hmacSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] sig = mac.doFinal((head + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return head + "." + claims + "." + b64.encodeToString(sig);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
