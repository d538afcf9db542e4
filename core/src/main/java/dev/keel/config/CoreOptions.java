package dev.keel.config;

import static dev.keel.config.OptionSet.group;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The options of keel-core: listeners, message and queue bounds, deadlines, rate limits, per-address
 * limits, authentication and TLS, threads. Each is declared once, here; docs/configuration.md's table
 * is generated from these declarations and a test fails when the two differ.
 */
public final class CoreOptions {
  private CoreOptions() {}

  /**
   * Room for what a published message gains on its way out ({@code {"op":"msg","topic":T,"seq":N,"data":}}
   * around the data, topic up to 128 characters): the queue must fit the largest message with it.
   */
  public static final int MSG_ENVELOPE = 512;

  private static final Duration MS = Duration.ofMillis(1);
  private static final Duration MAX = Option.MAX_DURATION;
  private static final int MAX_SIZE = 64 * 1024 * 1024;

  // ------------------------------------------------------------------ listeners

  public static final Option<String> HOST = Option.text("host", "ADDR", "127.0.0.1")
      .check(v -> v.isBlank() ? "must not be empty" : null)
      .describe("Bind address of the WebSocket/HTTP and framed-TCP listeners.")
      .why("Loopback: exposing the server is a decision (with authentication, or --insecure).");
  public static final Option<Integer> WS_PORT = Option.port("ws-port", 8080)
      .describe("HTTP + WebSocket port (GET /ws, GET /healthz, the application's HTTP routes).");
  public static final Option<Integer> TCP_PORT = Option.port("tcp-port", 9090)
      .describe("Length-prefixed framed-TCP port.");
  public static final Option<String> WS_PATH = Option.text("ws-path", "PATH", "/ws")
      .check(v -> v.matches("/[A-Za-z0-9._~/-]{0,255}") && !v.equals("/healthz") ? null
          : "must be / followed by up to 255 of A-Z a-z 0-9 . _ ~ / - (not /healthz), was " + v)
      .describe("HTTP path of the WebSocket upgrade.");

  // ------------------------------------------------------------------ messages and queues

  public static final Option<Integer> MAX_MESSAGE_SIZE = Option.size("max-message-size", 64 * 1024)
      .range(64, 16 * 1024 * 1024)
      .describe("Largest inbound message (and HTTP request body); larger: WS close 1009, TCP error too_large then close.")
      .why("Large enough for any chat or dashboard message, small enough that 10,000 of them fit in memory.");
  public static final Option<Integer> OUTBOUND_QUEUE_BYTES = Option.size("outbound-queue-bytes", 1024 * 1024)
      .range(1024, Integer.MAX_VALUE)
      .describe("Per-connection bound on queued outbound bytes.");
  public static final Option<Integer> OUTBOUND_QUEUE_MESSAGES = Option.count("outbound-queue-messages", 4096)
      .range(1, 1 << 20)
      .describe("Per-connection bound on queued outbound messages.");
  public static final Option<SlowConsumerPolicy> SLOW_CONSUMER_POLICY =
      Option.choice("slow-consumer-policy", SlowConsumerPolicy.class, SlowConsumerPolicy.DISCONNECT)
          .describe("When the outbound queue is full: disconnect (close 1008), drop-oldest, drop-newest.")
          .why("A consumer that cannot keep up is told so, instead of silently missing messages.");
  public static final Option<Integer> WRITE_BUFFER_HIGH_WATER = Option.size("write-buffer-high-water", 64 * 1024)
      .range(1024, MAX_SIZE)
      .describe("Netty's per-channel write buffer stops taking writes above this (low water is half); the queue holds the rest.");
  public static final Option<Integer> SOCKET_SEND_BUFFER = Option.size("socket-send-buffer", 0)
      .check(v -> v == 0 || (v >= 1024 && v <= MAX_SIZE) ? null
          : "must be 0 (kernel auto-tuning) or between 1KiB and 64MiB, was " + Units.formatSize(v))
      .describe("SO_SNDBUF of each connection: kernel memory a stalled peer can hold; 0 = kernel auto-tuning.");
  public static final Option<Integer> INBOUND_QUEUE_MESSAGES = Option.count("inbound-queue-messages", 64)
      .range(1, 65536)
      .describe("Messages read ahead of a connection's handler; when full, the socket is not read (TCP pushes back).")
      .why("Enough to keep a handler busy, few enough to stay small.");
  public static final Option<Integer> MAX_SUBSCRIPTIONS = Option.count("max-subscriptions", 256)
      .range(1, 1 << 20)
      .describe("Topics one connection may subscribe to; over: error limit_exceeded.");

  // ------------------------------------------------------------------ deadlines

  public static final Option<Duration> HANDSHAKE_TIMEOUT = Option.duration("handshake-timeout", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("WebSocket upgrade (or first TCP frame, or each HTTP request) not done in time: close.");
  public static final Option<Duration> HEARTBEAT_INTERVAL = Option.duration("heartbeat-interval", Duration.ofSeconds(20))
      .range(MS, MAX)
      .describe("Interval of WS ping frames / empty TCP frames.")
      .why("Under the 30-60 s idle timeouts of common load balancers and NATs.");
  public static final Option<Duration> IDLE_TIMEOUT = Option.duration("idle-timeout", Duration.ofSeconds(60))
      .range(MS, MAX)
      .describe("No inbound bytes at all (pongs count) for this long: close 1001.")
      .why("Three heartbeats: a peer must miss several pongs before it is declared dead.");
  public static final Option<Duration> WRITE_TIMEOUT = Option.duration("write-timeout", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("Queued outbound data makes no progress for this long: close 1008 slow consumer.");
  public static final Option<Duration> CLOSE_TIMEOUT = Option.duration("close-timeout", Duration.ofSeconds(1))
      .range(MS, MAX)
      .describe("How long a close frame may take to reach a peer before the socket is closed anyway.");
  public static final Option<Duration> SHUTDOWN_GRACE = Option.duration("shutdown-grace", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("On SIGTERM, how long queues may flush before the rest is closed.");
  public static final Option<Duration> HANDLER_TIMEOUT = Option.duration("handler-timeout", Duration.ZERO)
      .range(Duration.ZERO, MAX)
      .describe("A handler call running longer than this is interrupted; 0 = never.")
      .why("A handler may legitimately wait long; set it when yours never should.");

  // ------------------------------------------------------------------ rate limits

  public static final Option<Integer> RATE_LIMIT = Option.rate("rate-limit", 200)
      .range(1, 10_000_000)
      .describe("Inbound messages per second per connection (token bucket refill).");
  public static final Option<Integer> RATE_BURST = Option.count("rate-burst", 400)
      .range(1, 10_000_000)
      .describe("Token bucket size: messages a connection may send at once.");
  public static final Option<RateLimitPolicy> RATE_LIMIT_POLICY =
      Option.choice("rate-limit-policy", RateLimitPolicy.class, RateLimitPolicy.THROTTLE)
          .describe("Over the rate: throttle (stop reading until tokens refill; TCP pushes back) or disconnect (close 1008 rate limit).");

  // ------------------------------------------------------------------ connections

  public static final Option<Integer> MAX_CONNECTIONS = Option.count("max-connections", 50_000)
      .range(1, 10_000_000)
      .describe("Open WS + TCP connections; over: WS handshake refused with 503, TCP closed at once.");
  public static final Option<Integer> MAX_CONNECTIONS_PER_IP = Option.count("max-connections-per-ip", 1000)
      .range(1, 10_000_000)
      .describe("Open connections (WS, TCP and HTTP) from one address; over: WS 503, TCP closed at once.")
      .why("Far above one office behind a NAT, far below what one host could take of the server.");
  public static final Option<Integer> CONNECT_RATE_PER_IP = Option.rate("connect-rate-per-ip", 20)
      .range(1, 1_000_000)
      .describe("New connections per second from one address (token bucket); over: WS 503, TCP closed at once.")
      .why("A reconnect storm is spread over seconds.");
  public static final Option<Integer> CONNECT_BURST_PER_IP = Option.count("connect-burst-per-ip", 50)
      .range(1, 10_000_000)
      .describe("Bucket size of connect-rate-per-ip.");

  // ------------------------------------------------------------------ security

  public static final Option<String> AUTH_HMAC_SECRET = Option.text("auth-hmac-secret", "SECRET", null)
      .optional()
      .secret("KEEL_AUTH_HMAC_SECRET")
      .check(v -> v.getBytes(StandardCharsets.UTF_8).length >= 32 ? null : "must be at least 32 bytes (HS256 needs a 256-bit key)")
      .describe("Verify connect tokens (JWT) signed HS256 with this secret (at least 32 bytes); also $KEEL_AUTH_HMAC_SECRET.")
      .why("No JWT verification unless a key is given; then loopback binds only, unless --insecure.");
  public static final Option<String> AUTH_PUBLIC_KEY = Option.file("auth-public-key", "PEM_FILE")
      .describe("Verify connect tokens (JWT) signed RS256 or ES256 with this public key.");
  public static final Option<List<String>> ALLOWED_ORIGINS = Option.list("allowed-origins", "ORIGINS")
      .describe("Comma-separated Origins allowed to open a WebSocket (e.g. https://app.example.com); others get 403. Empty: any.");
  public static final Option<Boolean> INSECURE = Option.flag("insecure", false)
      .describe("Allow binding a non-loopback host with no authentication configured.");
  public static final Option<String> TLS_CERT = Option.file("tls-cert", "PEM_FILE")
      .describe("Certificate chain (PEM): TLS on the WebSocket (wss) and TCP listeners.");
  public static final Option<String> TLS_KEY = Option.file("tls-key", "PEM_FILE")
      .describe("Private key (PEM, PKCS#8) of tls-cert.");

  // ------------------------------------------------------------------ threads

  public static final Option<Integer> IO_THREADS = Option.count("io-threads", 0)
      .range(0, 256)
      .describe("Event loop threads; 0 = one per core.");
  public static final Option<IoTransport> IO_TRANSPORT = Option.choice("io-transport", IoTransport.class, IoTransport.EPOLL)
      .describe("Netty transport of the event loops: epoll, io_uring (fewer system calls per write), nio.")
      .why("Every test runs on epoll; io_uring is opt-in (docs/benchmarks.md).");

  public static final OptionSet SET = OptionSet.of("Core", List.of(
      group("Listeners", HOST, WS_PORT, TCP_PORT, WS_PATH),
      group("Messages and queues", MAX_MESSAGE_SIZE, OUTBOUND_QUEUE_BYTES, OUTBOUND_QUEUE_MESSAGES,
          SLOW_CONSUMER_POLICY, WRITE_BUFFER_HIGH_WATER, SOCKET_SEND_BUFFER, INBOUND_QUEUE_MESSAGES,
          MAX_SUBSCRIPTIONS),
      group("Deadlines", HANDSHAKE_TIMEOUT, HEARTBEAT_INTERVAL, IDLE_TIMEOUT, WRITE_TIMEOUT, CLOSE_TIMEOUT,
          SHUTDOWN_GRACE, HANDLER_TIMEOUT),
      group("Rate limits", RATE_LIMIT, RATE_BURST, RATE_LIMIT_POLICY),
      group("Connections", MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, CONNECT_RATE_PER_IP, CONNECT_BURST_PER_IP),
      group("Security", AUTH_HMAC_SECRET, AUTH_PUBLIC_KEY, ALLOWED_ORIGINS, INSECURE, TLS_CERT, TLS_KEY),
      group("Threads", IO_THREADS, IO_TRANSPORT)),
      List.of(
          c -> c.get(HEARTBEAT_INTERVAL).compareTo(c.get(IDLE_TIMEOUT)) < 0 ? null
              : "heartbeat-interval (" + Units.formatDuration(c.get(HEARTBEAT_INTERVAL))
                  + ") must be shorter than idle-timeout (" + Units.formatDuration(c.get(IDLE_TIMEOUT))
                  + "), or live peers would be closed as idle",
          c -> (long) c.get(OUTBOUND_QUEUE_BYTES) >= (long) c.get(MAX_MESSAGE_SIZE) + MSG_ENVELOPE ? null
              : "outbound-queue-bytes (" + Units.formatSize(c.get(OUTBOUND_QUEUE_BYTES)) + ") must hold at least one"
                  + " message of max-message-size (" + Units.formatSize(c.get(MAX_MESSAGE_SIZE)) + ") plus its "
                  + MSG_ENVELOPE + "-byte msg envelope",
          c -> c.get(AUTH_HMAC_SECRET) == null || c.get(AUTH_PUBLIC_KEY) == null ? null
              : "give auth-hmac-secret or auth-public-key, not both",
          c -> (c.get(TLS_CERT) == null) == (c.get(TLS_KEY) == null) ? null : "tls-cert and tls-key go together",
          c -> c.get(INSECURE) || authConfigured(c) || isLoopback(c.get(HOST)) ? null
              : "refusing to bind " + c.get(HOST) + " without authentication: set auth-hmac-secret or"
                  + " auth-public-key, or pass --insecure to accept anyone",
          c -> c.get(WS_PORT) != Ports.OFF || c.get(TCP_PORT) != Ports.OFF ? null
              : "ws-port and tcp-port are both off: nothing would listen"));

  /** Whether connect tokens are verified (a key is configured). */
  public static boolean authConfigured(KeelConfig c) {
    return c.get(AUTH_HMAC_SECRET) != null || c.get(AUTH_PUBLIC_KEY) != null;
  }

  /** Whether {@code host} names this machine's loopback interface only. */
  public static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
