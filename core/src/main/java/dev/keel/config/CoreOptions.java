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
      .why("Loopback: exposing the server is a decision (with authentication, or --insecure).")
      .details("Bind address of both listeners.")
      .valid("not empty");
  public static final Option<Integer> WS_PORT = Option.port("ws-port", 8080)
      .describe("HTTP + WebSocket port (GET /ws, GET /healthz, the application's HTTP routes).")
      .details("HTTP + WebSocket port (`GET /ws`, `GET /healthz`, and the HTTP routes of the application: `keel serve` adds `POST /api/publish`). `0` binds any free port; `off` starts no HTTP/WebSocket listener.");
  public static final Option<Integer> TCP_PORT = Option.port("tcp-port", 9090)
      .describe("Length-prefixed framed-TCP port.")
      .details("Framed-TCP port. `0` binds any free port; `off` starts no framed-TCP listener.");
  public static final Option<String> WS_PATH = Option.text("ws-path", "PATH", "/ws")
      .check(v -> v.matches("/[A-Za-z0-9._~/-]{0,255}") && !v.equals("/healthz") ? null
          : "must be / followed by up to 255 of A-Z a-z 0-9 . _ ~ / - (not /healthz), was " + v)
      .describe("HTTP path of the WebSocket upgrade.")
      .details("HTTP path of the WebSocket upgrade on `ws-port`.")
      .valid("`/` then up to 255 of `A-Z a-z 0-9 . _ ~ / -`; not `/healthz` or a route's path");

  // ------------------------------------------------------------------ messages and queues

  public static final Option<Integer> MAX_MESSAGE_SIZE = Option.size("max-message-size", 64 * 1024)
      .range(64, 16 * 1024 * 1024)
      .describe("Largest inbound message (and HTTP request body); larger: WS close 1009, TCP error too_large then close.")
      .why("Large enough for any chat or dashboard message, small enough that 10,000 of them fit in memory.")
      .details("Largest inbound message: WebSocket message (frame or reassembled), TCP frame payload, HTTP request body. Larger: WebSocket close 1009; TCP error `too_large`, then close; HTTP 413.");
  public static final Option<Integer> OUTBOUND_QUEUE_BYTES = Option.size("outbound-queue-bytes", 1024 * 1024)
      .range(1024, Integer.MAX_VALUE)
      .describe("Per-connection bound on queued outbound bytes.")
      .details("Per-connection bound on bytes queued in user space (data and control together).")
      .valid("at least `max-message-size` + 512B (the `msg` envelope), at most 2GiB − 1");
  public static final Option<Integer> OUTBOUND_QUEUE_MESSAGES = Option.count("outbound-queue-messages", 4096)
      .range(1, 1 << 20)
      .describe("Per-connection bound on queued outbound messages.")
      .details("Per-connection bound on queued messages (data and control together).");
  public static final Option<SlowConsumerPolicy> SLOW_CONSUMER_POLICY =
      Option.choice("slow-consumer-policy", SlowConsumerPolicy.class, SlowConsumerPolicy.DISCONNECT)
          .describe("When the outbound queue is full: disconnect (close 1008), drop-oldest, drop-newest; conflate: a subscriber behind keeps the newest message per topic.")
          .why("A consumer that cannot keep up is told so, instead of silently missing messages.")
      .details("What happens when a published message does not fit the outbound queue. `disconnect`: close 1008 `slow consumer` (TCP `slow_consumer`). `drop-oldest`: release the oldest queued messages until the new one fits. `drop-newest`: drop the new message. `conflate`: while a subscriber is behind (its socket and Netty's channel buffer are full), a new message replaces a queued one of the same topic, so it keeps only the newest of each topic (seq gaps show what it skipped); a queue full even so drops its oldest. Replies and other control frames are never dropped.");
  public static final Option<Integer> WRITE_BUFFER_HIGH_WATER = Option.size("write-buffer-high-water", 64 * 1024)
      .range(1024, MAX_SIZE)
      .describe("Netty's per-channel write buffer stops taking writes above this (low water is half); the queue holds the rest.")
      .details("Netty's per-channel write buffer watermark. Above it, the channel is unwritable and the user-space queue stops draining. The low watermark is half of this.");
  public static final Option<Integer> SOCKET_SEND_BUFFER = Option.size("socket-send-buffer", 64 * 1024)
      .check(v -> v == 0 || (v >= 1024 && v <= MAX_SIZE) ? null
          : "must be 0 (kernel auto-tuning) or between 1KiB and 64MiB, was " + Units.formatSize(v))
      .describe("SO_SNDBUF of each connection: the kernel memory a peer that stops reading can hold; 0 = kernel auto-tuning.")
      .why("Bounds the kernel's share: Linux doubles it, so at most 128 KiB per connection instead of the 4 MiB auto-tuning allows; broadcast throughput on loopback is unchanged (docs/benchmarks.md).")
      .details("`SO_SNDBUF` of each connection: the kernel memory a peer that stops reading can hold beyond the user-space queue and the channel buffer (Linux doubles the value asked for). It is kernel memory, outside the process and its memory budget, so it has its own bound: at most `max-connections` x 2 x this. `0` leaves it to the kernel (on Linux auto-tuned up to `net.ipv4.tcp_wmem`'s maximum, 4 MiB by default), which lets each stalled peer pin megabytes of kernel memory; raise it for peers far away that must receive large volumes fast (a connection's throughput is at most about twice this per round trip).")
      .valid("`0`, or 1KiB to 64MiB");
  public static final Option<Integer> INBOUND_QUEUE_MESSAGES = Option.count("inbound-queue-messages", 64)
      .range(1, 65536)
      .describe("Messages read ahead of a connection's handler; when full, the socket is not read (TCP pushes back).")
      .why("Enough to keep a handler busy, few enough to stay small.")
      .details("Per-connection bound on messages read and waiting for the application handler (which runs on a virtual thread). When it is reached, the server stops reading that socket, so TCP flow control pushes back on the sender; reading resumes when the handler has drained it to half. Messages the same socket read had already decoded wait too (at most one read, ≤ 64 KiB). Memory per connection: at most this × `max-message-size`, plus that one read. While reading is paused this way, `idle-timeout` does not run (the silence is the server's); it restarts when reading resumes.");
  public static final Option<Integer> MAX_SUBSCRIPTIONS = Option.count("max-subscriptions", 256)
      .range(1, 1 << 20)
      .describe("Topics one connection may subscribe to; over: error limit_exceeded.")
      .details("Topics one connection may subscribe to. A `sub` for one more gets error `limit_exceeded`, and the connection stays open.");

  // ------------------------------------------------------------------ deadlines

  public static final Option<Duration> HANDSHAKE_TIMEOUT = Option.duration("handshake-timeout", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("TLS handshake and first HTTP request (the WebSocket upgrade), or first TCP frame, not done in time: close.")
      .details("From the moment a connection is accepted: its TLS handshake and its first HTTP request (the WebSocket upgrade, say) must be complete within this, or its first framed-TCP frame must arrive. HTTP: a connection that sent nothing is closed without a response, one in the middle of its request gets `408`; TCP: error `handshake_timeout`, then close.");
  public static final Option<Duration> REQUEST_TIMEOUT = Option.duration("request-timeout", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("An HTTP request's headers and body, from its first byte, and then its route's answer, each within this.")
      .why("Ten times what a client on a slow mobile link needs for a 64 KiB body; a slow-loris request holds a socket at most this long.")
      .details("An HTTP request must arrive in full (headers and body) within this of its first byte; otherwise `408 {\"error\":\"request_timeout\"}` and the connection closes. A route (`POST /api/publish`) must then answer within this too; otherwise `503 {\"error\":\"unavailable\"}` and close.");
  public static final Option<Duration> KEEP_ALIVE_TIMEOUT = Option.duration("keep-alive-timeout", Duration.ofSeconds(15))
      .range(MS, MAX)
      .describe("An idle keep-alive HTTP connection is closed after this.")
      .why("Long enough for a client's next request in a burst; an idle connection holds one of max-sockets.")
      .details("After an HTTP response has been written, the connection may stay idle this long before the next request's first byte; then it is closed (no response). The response itself must be written within `write-timeout`.");
  public static final Option<Duration> HEARTBEAT_INTERVAL = Option.duration("heartbeat-interval", Duration.ofSeconds(20))
      .range(MS, MAX)
      .describe("Interval of WS ping frames / empty TCP frames.")
      .why("Under the 30-60 s idle timeouts of common load balancers and NATs.")
      .details("How often the server sends a heartbeat: a WebSocket ping frame, or an empty TCP frame (N = 0).")
      .valid("1ms to 7d, shorter than `idle-timeout`");
  public static final Option<Duration> IDLE_TIMEOUT = Option.duration("idle-timeout", Duration.ofSeconds(60))
      .range(MS, MAX)
      .describe("No inbound bytes at all (pongs count) for this long: close 1001.")
      .why("Three heartbeats: a peer must miss several pongs before it is declared dead.")
      .details("No inbound bytes at all (pongs, partial frames and TCP heartbeats count) for this long: WebSocket close 1001 `idle timeout`; TCP error `idle_timeout`, then close.")
      .valid("1ms to 7d, longer than `heartbeat-interval`");
  public static final Option<Duration> WRITE_TIMEOUT = Option.duration("write-timeout", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("Queued outbound data makes no progress for this long (an HTTP response is not written in this time): close.")
      .details("Queued outbound data makes no progress for this long: WebSocket close 1008 `slow consumer`; TCP error `slow_consumer`. Progress is checked every `write-timeout / 4`, so the close comes between 1× and about 1.25× this. An HTTP response must be written in full within this (a client that stops reading its answers is closed).");
  public static final Option<Duration> CLOSE_TIMEOUT = Option.duration("close-timeout", Duration.ofSeconds(1))
      .range(MS, MAX)
      .describe("How long a close frame (or a last HTTP answer) may take to reach a peer before the socket is closed anyway.")
      .details("How long a close frame (WebSocket), final error frame (TCP) or last HTTP answer (a `Connection: close` error) may take to reach a peer, which then closes its side, before the socket is closed anyway. Meanwhile what the peer sends is read and discarded, so that the close is a FIN and not a reset.");
  public static final Option<Duration> SHUTDOWN_GRACE = Option.duration("shutdown-grace", Duration.ofSeconds(10))
      .range(MS, MAX)
      .describe("On SIGTERM, how long queues may flush before the rest is closed.")
      .details("On SIGTERM or Ctrl-C, how long connections may flush their queues before the rest are closed.");
  public static final Option<Duration> HANDLER_TIMEOUT = Option.duration("handler-timeout", Duration.ZERO)
      .range(Duration.ZERO, MAX)
      .describe("A handler call running longer than this is interrupted; 0 = never.")
      .why("A handler may legitimately wait long; set it when yours never should.")
      .details("A handler call (`onOpen`, `onMessage`) running longer than this is interrupted. A handler that then throws closes its connection as an internal error (WebSocket 1011, TCP `internal`); one that returns carries on. `0` never interrupts (calls are still interrupted when their connection ends).")
      .valid("`0`, or up to 7d");

  // ------------------------------------------------------------------ rate limits

  public static final Option<Integer> RATE_LIMIT = Option.rate("rate-limit", 200)
      .range(1, 10_000_000)
      .describe("Inbound messages and frames per second per connection (token bucket refill); HTTP requests to routes too.")
      .details("Inbound messages per second per connection: the refill rate of the token bucket. Each WebSocket frame takes one token (a text or binary message, a fragment of one, a ping, a pong), and each non-empty TCP frame. A ping flood is throttled like a message flood: pings read while the bucket is empty wait, and the pong answers the latest of them (RFC 6455 §5.5.3). TCP heartbeats take none. On HTTP connections, each request to a route (`POST /api/publish`) takes one; over the rate: `429` with `Retry-After`, and the connection stays.");
  public static final Option<Integer> RATE_BURST = Option.count("rate-burst", 400)
      .range(1, 10_000_000)
      .describe("Token bucket size: messages a connection may send at once.")
      .details("Token bucket size: how many messages a connection may send at once. The bucket starts full.");
  public static final Option<Integer> HTTP_RATE_LIMIT_PER_IP = Option.rate("http-rate-limit-per-ip", 1000)
      .range(1, 10_000_000)
      .describe("HTTP requests to routes per second from one address, over all its connections; over: 429.")
      .why("Five times what rate-limit lets one connection send; raise it behind a proxy that shares one address among many publishers.")
      .details("HTTP requests to routes (`POST /api/publish`) per second from one address, over all its connections (token bucket with one second's worth of burst). Over: `429 {\"error\":\"rate_limited\"}` with `Retry-After`, and the connection stays. Which address counts: see `max-connections-per-ip`.");
  public static final Option<RateLimitPolicy> RATE_LIMIT_POLICY =
      Option.choice("rate-limit-policy", RateLimitPolicy.class, RateLimitPolicy.THROTTLE)
          .describe("Over the rate: throttle (stop reading until tokens refill; TCP pushes back) or disconnect (close 1008 rate limit).")
      .details("Over the rate. `throttle`: stop reading the socket until a token is due, so TCP flow control pushes back on the sender (messages already read wait, in order). `disconnect`: WebSocket close 1008 `rate limit`; TCP error `rate_limited`, then close.");

  // ------------------------------------------------------------------ connections

  public static final Option<Integer> MAX_SOCKETS = Option.count("max-sockets", 0)
      .range(0, 10_000_000)
      .describe("Accepted sockets of every listener together (admin included); 0 = derived from the file-descriptor limit.")
      .why("Derived, so that sockets alone can never exhaust the descriptors the process needs for anything else.")
      .details("Accepted sockets of every kind together: WebSocket, framed TCP, plain HTTP, connections that never upgrade, and the admin listener's, which has a reserve of its own (`admin-max-connections`) that the public listeners cannot take. A socket over the budget is closed at once, before any byte is read (counted as `server_full`). `0` derives it from the process's file-descriptor limit: the limit less an eighth of it, at least 64 left for files (`ulimit -n` 1,024 → 896; 65,536 → 57,344); the start-up log says the figure. A value above what the limit allows is used, with a warning: accepts may then fail with EMFILE (logged once a second, retried after a second's pause).")
      .valid("`0` (derived), or 1 to 10,000,000");
  public static final Option<Integer> MAX_CONNECTIONS = Option.count("max-connections", 50_000)
      .range(1, 10_000_000)
      .describe("Open WS + TCP sessions; over: WS handshake refused with 503, TCP closed at once.")
      .details("Open WebSocket and framed-TCP sessions together. Over: the WebSocket upgrade gets 503; a TCP connection is closed at once. Plain HTTP connections are counted by `max-sockets`, not here.");
  public static final Option<Integer> MAX_PIPELINED_REQUESTS = Option.count("max-pipelined-requests", 16)
      .range(1, 1024)
      .describe("HTTP requests one connection may send ahead of their answers; beyond: 429, then close.")
      .why("More than any HTTP client pipelines; fewer than one read's worth of requests, so the queue stays small.")
      .details("HTTP/1.1 requests one connection may have waiting for their answers (each is answered in order, after the previous answer is written). One more: the waiting ones are answered, then `429 {\"error\":\"too_many_requests\"}` with `Connection: close`, and the connection is closed cleanly (a FIN, never a reset; what the client still sends is read and discarded for up to `close-timeout`).");
  public static final Option<Integer> MAX_CONNECTIONS_PER_IP = Option.count("max-connections-per-ip", 1000)
      .range(1, 10_000_000)
      .describe("Open connections (WS, TCP and HTTP) from one client address; over: WS 503, TCP closed at once.")
      .why("Far above one office behind a NAT, far below what one host could take of the server.")
      .details("Open connections (WebSocket, framed TCP and plain HTTP together) from one address: the socket's peer address, which behind a reverse proxy or load balancer is the proxy's, shared by every client behind it (docs/security.md). Over: an HTTP/WebSocket request is answered `503` naming the address counted and this limit, a TCP connection is closed at once; counted as `ip_limit`, and the close log says which address.");
  public static final Option<Integer> CONNECT_RATE_PER_IP = Option.rate("connect-rate-per-ip", 20)
      .range(1, 1_000_000)
      .describe("New connections per second from one address (token bucket); over: WS 503, TCP closed at once.")
      .why("A reconnect storm is spread over seconds.")
      .details("New connections per second from one address (token bucket, refilled lazily); the address counted is the one `max-connections-per-ip` counts. Over: as above, the 503 naming this limit, counted as `connect_rate`. Turns a reconnect storm into a trickle.");
  public static final Option<Integer> CONNECT_BURST_PER_IP = Option.count("connect-burst-per-ip", 50)
      .range(1, 10_000_000)
      .describe("Bucket size of connect-rate-per-ip.")
      .details("Bucket size of `connect-rate-per-ip`. The per-address table keeps only addresses with open connections or a bucket not yet refilled; idle entries are swept, so a flood of addresses cannot grow it without bound.");

  // ------------------------------------------------------------------ proxies (the client's real address)

  public static final Option<List<String>> TRUSTED_PROXIES = Option.list("trusted-proxies", "CIDRS")
      .check(Cidr::problem)
      .describe("Addresses (CIDR) of your reverse proxies: from them only, the client's address is taken from the PROXY header or the forwarding header.")
      .details("Connections from these addresses come from your reverse proxies (nginx, HAProxy, a load balancer): Keel takes the client's address from what the proxy passes on, a PROXY protocol header (`proxy-protocol`) or, on the HTTP + WebSocket listener, the header named by `forwarded-header`, and uses it for the per-address limits, the connection ledger, the close log and the logs. Such a connection is admitted by its client's address once that is known (the PROXY header, or the first HTTP request), never by the proxy's. A forwarding header is read from the right: addresses of trusted proxies are skipped, the first other one is the client. From any other address the headers are ignored and a PROXY header is refused. Empty: no proxy is trusted, every connection has its socket's address. See docs/deployment.md.")
      .valid("comma-separated addresses or CIDR blocks (`127.0.0.1`, `10.0.0.0/8`, `fd00::/8`)");
  public static final Option<ProxyProtocol> PROXY_PROTOCOL = Option.choice("proxy-protocol", ProxyProtocol.class, ProxyProtocol.OFF)
      .describe("Listeners whose trusted proxies send a PROXY protocol header (v1 or v2) first: off, ws, tcp, both.")
      .why("Nothing sends a PROXY header unless it is configured to; a listener that expects one refuses trusted peers without it.")
      .details("Listeners whose trusted peers (`trusted-proxies`) send a PROXY protocol header, v1 (text) or v2 (binary), before anything else, TLS included: HAProxy's `send-proxy` / `send-proxy-v2`, nginx's `proxy_protocol on` (stream). From a trusted proxy the header is required: a connection without one is closed and counted `proxy_protocol`. It must arrive within `handshake-timeout` and be at most 108 bytes (v1), or 232 bytes plus 1 KiB of TLVs (v2); a v2 `LOCAL` header (a health check) keeps the proxy's own address. From any other address, a connection that starts with a PROXY header is closed and counted `proxy_protocol`. A connection that had a PROXY header does not read `forwarded-header`.")
      .valid("off, ws, tcp, both; not off without `trusted-proxies`");
  public static final Option<ForwardedHeader> FORWARDED_HEADER =
      Option.choice("forwarded-header", ForwardedHeader.class, ForwardedHeader.X_FORWARDED_FOR)
          .describe("The header trusted proxies write the client's address into (HTTP listener): x-forwarded-for, forwarded, none.")
          .why("What nginx ($proxy_add_x_forwarded_for) and HAProxy (option forwardfor) write.")
          .details("On the HTTP + WebSocket listener, the header a trusted proxy (`trusted-proxies`) writes the client's address into: `x-forwarded-for` (nginx's `$proxy_add_x_forwarded_for`, HAProxy's `option forwardfor`), `forwarded` (RFC 7239, `for=`), or `none`. It is read from the first request of a connection from a trusted proxy (the WebSocket upgrade, or a plain HTTP request), which keeps that address for its life. Only the named header is read: a proxy that writes one passes the other through from the client untouched. A request from a trusted proxy without it has the proxy's address.");

  // ------------------------------------------------------------------ security

  public static final Option<String> AUTH_HMAC_SECRET = Option.text("auth-hmac-secret", "SECRET", null)
      .optional()
      .secret("KEEL_AUTH_HMAC_SECRET")
      .check(v -> v.getBytes(StandardCharsets.UTF_8).length >= 32 ? null : "must be at least 32 bytes (HS256 needs a 256-bit key)")
      .describe("Verify connect tokens (JWT) signed HS256 with this secret (at least 32 bytes); also $KEEL_AUTH_HMAC_SECRET.")
      .why("No JWT verification unless a key is given; then loopback binds only, unless --insecure.")
      .details("Verify connect tokens (JWT) signed HS256 with this secret. Also `$KEEL_AUTH_HMAC_SECRET`. See docs/security.md.")
      .valid("at least 32 bytes");
  public static final Option<String> AUTH_PUBLIC_KEY = Option.file("auth-public-key", "PEM_FILE")
      .describe("Verify connect tokens (JWT) signed RS256 or ES256 with this public key.")
      .details("Verify connect tokens signed RS256 (RSA key) or ES256 (EC P-256 key). Exclusive with `auth-hmac-secret`.")
      .valid("a readable RSA or EC public key (PEM)");
  public static final Option<Duration> AUTH_LEEWAY = Option.duration("auth-leeway", Duration.ofSeconds(30))
      .range(Duration.ZERO, Duration.ofMinutes(10))
      .describe("Clock skew allowed when checking a token's nbf and iat.")
      .why("Covers the clock drift of hosts kept by NTP; far below any token's lifetime.")
      .details("A connect token whose `nbf` (not before) or `iat` (issued at) lies more than this in the future is refused (`token not yet valid`, `token issued in the future`). `exp` is checked without leeway.");
  public static final Option<List<String>> ALLOWED_ORIGINS = Option.list("allowed-origins", "ORIGINS")
      .describe("Comma-separated Origins allowed to open a WebSocket or publish over HTTP (e.g. https://app.example.com); others get 403. Empty: any.")
      .details("When set, a WebSocket upgrade whose `Origin` is not in the list (or that has none) gets 403, and so does an HTTP publish that sends an `Origin` not in the list (servers send none, browsers always do).")
      .valid("exact `scheme://host[:port]` values");
  public static final Option<Boolean> INSECURE = Option.flag("insecure", false)
      .describe("Allow binding a non-loopback host with no authentication configured.")
      .details("Without authentication configured, Keel refuses to bind a non-loopback `--host`; this accepts that risk.");
  public static final Option<String> TLS_CERT = Option.file("tls-cert", "PEM_FILE")
      .describe("Certificate chain (PEM): TLS on the WebSocket (wss) and TCP listeners.")
      .details("Certificate chain: TLS on both listeners (`wss://`, `https://`, TLS framed TCP). OpenSSL (BoringSSL from netty-tcnative) when it loads, the JDK otherwise. The TLS handshake counts against `handshake-timeout`.")
      .valid("a readable PEM file; with `tls-key`");
  public static final Option<String> TLS_KEY = Option.file("tls-key", "PEM_FILE")
      .describe("Private key (PEM, PKCS#8) of tls-cert.")
      .details("The private key of `tls-cert`.")
      .valid("a readable PKCS#8 PEM key; with `tls-cert`");

  // ------------------------------------------------------------------ memory budget

  public static final Option<Long> MEMORY_BUDGET = Option.autoSize("memory-budget", 0)
      .describe("All the memory clients can make the server hold, in one number; past its marks the server refuses, pauses, sheds.")
      .details("One budget for everything a client can make the server hold: connections (4 KiB each, and 512 B per subscription), outbound"
          + " queues (bytes plus 64 B per queued message), messages waiting for the rate limit or a handler,"
          + " partially received frames, HTTP bodies and topic history (docs/memory.md). Above `memory-high-mark` new"
          + " connections are refused and publishers are paused; above `memory-shed-mark` the connections"
          + " holding the most are closed, largest first. `auto`: the launcher takes 75% of the container's"
          + " memory limit, or a quarter of the machine's memory up to 2GiB, and sizes the JVM from it;"
          + " embedded, 80% of the smaller of the maximum heap and the maximum direct memory.")
      .valid("`auto`, or 16MiB to 1TiB")
      .check(v -> v == 0 || (v >= 16L << 20 && v <= 1L << 40) ? null
          : "must be auto or between 16MiB and 1TiB, was " + Units.formatSize(v));
  public static final Option<Integer> MEMORY_HIGH_MARK = Option.percent("memory-high-mark", 80)
      .range(10, 98)
      .describe("Accounted memory above this share of the budget: refuse new connections, 503 HTTP routes, pause publishers.")
      .why("Room left for what is already in flight to drain before the shed mark.");
  public static final Option<Integer> MEMORY_SHED_MARK = Option.percent("memory-shed-mark", 95)
      .range(11, 100)
      .describe("Above this share of the budget, the connections holding the most are closed (1008 server overloaded) until under the high mark.");
  public static final Option<Integer> MEMORY_RESUME_MARK = Option.percent("memory-resume-mark", 70)
      .range(1, 97)
      .describe("The high stage ends only below this share of the budget (hysteresis), and not before memory-stage-dwell.");
  public static final Option<Duration> MEMORY_STAGE_DWELL = Option.duration("memory-stage-dwell", Duration.ofSeconds(1))
      .range(Duration.ZERO, Duration.ofMinutes(10))
      .describe("A high stage, once entered, lasts at least this long: the server does not flap between admitting and refusing.");
  public static final Option<Integer> MEMORY_HEAP_HIGH = Option.percent("memory-heap-high", 85)
      .range(10, 99)
      .describe("Heap in use after a GC above this share of the maximum heap counts as the high stage (memory the accounting cannot see).");
  public static final Option<Integer> MEMORY_HEAP_CRITICAL = Option.percent("memory-heap-critical", 95)
      .range(11, 100)
      .describe("Heap in use after a GC above this share of the maximum heap counts as the shed stage.");
  public static final Option<Duration> MEMORY_CHECK_INTERVAL = Option.duration("memory-check-interval", Duration.ofMillis(100))
      .range(Duration.ofMillis(10), Duration.ofSeconds(10))
      .describe("How often the one evaluator task sums the accounting and moves the stage.")
      .why("Fast enough that a burst meets the shed mark within a tenth of a second; one cheap task per server.");
  public static final Option<Duration> FRAME_TIMEOUT = Option.duration("frame-timeout", Duration.ofSeconds(30))
      .range(MS, MAX)
      .describe("A WebSocket or TCP frame begun must be complete within this: else close 1008 too slow (TCP too_slow).")
      .why("A 64 KiB frame at 2.2 KB/s still arrives; a peer that trickles one byte per idle timeout cannot hold a frame buffer.");

  // ------------------------------------------------------------------ threads

  public static final Option<Integer> HISTORY_SIZE = Option.count("history-size", 0)
      .range(0, 1 << 20)
      .describe("Messages kept per topic for recovery on reconnect (sub with since); 0 = history off.")
      .details("Messages kept per topic so that a client that reconnects with `{\"op\":\"sub\",...,\"since\":"
          + "{\"epoch\":E,\"seq\":N}}` gets the ones it missed, then the live ones, with no gap and no duplicate"
          + " (docs/protocol.md, Recovery). With history on, a topic lives on after its last subscriber"
          + " leaves until its history expires, and a publish to a topic with no subscriber is kept too."
          + " Every kept byte counts against `memory-budget` (the message plus 56 B); in the shed stage whole"
          + " histories are dropped, largest first, before any connection is closed. In cluster mode"
          + " (`cluster-redis`) the history lives in Redis instead: one stream per topic, appended to by the script"
          + " that assigns `seq` with `XADD ... MAXLEN ~ N` (Redis keeps at least N, sometimes about 100 more), so"
          + " a client recovers through any node, and a topic ends with its last local subscriber (docs/cluster.md).")
      .why("Off: history makes every published topic outlive its subscribers and costs memory per topic;"
          + " an application turns it on knowing its message rates (Centrifugo's default is off too).");
  public static final Option<Duration> HISTORY_TTL = Option.duration("history-ttl", Duration.ofMinutes(2))
      .range(Duration.ofSeconds(1), Duration.ofDays(1))
      .describe("How long a kept message stays recoverable; older ones are dropped.")
      .details("How long a message stays in its topic's history. A client whose missed messages are older"
          + " gets `recovered:false` with reason `expired`. One task per server drops expired messages every"
          + " quarter of this (at most every second) and ends topics left with neither history nor subscribers."
          + " In cluster mode a topic's stream in Redis expires this long after its last publish (`PEXPIRE`), and"
          + " a missed message older than this (by Redis's clock) is not replayed: reason `expired`.")
      .why("Two minutes covers a phone changing networks or a proxy restarting, and is what Socket.IO's"
          + " connection state recovery and Ably's resume promise.");
  public static final Option<Integer> HISTORY_MAX_BYTES = Option.size("history-max-bytes", 512 * 1024)
      .range(1024, 1 << 30)
      .describe("Per-topic bound on the bytes of history kept (data plus 56 B a message).")
      .details("Per-topic bound on history: the kept messages' data plus 56 B each. Past it the oldest are"
          + " dropped, as past `history-size`. In cluster mode it bounds the live messages a node buffers for one"
          + " recovering subscription while it reads Redis (past it: `too_far_behind`); Redis's stream is bounded"
          + " by `history-size` only.")
      .why("Half the default outbound queue, so that a whole replay fits a client's queue beside live messages.");

  public static final Option<Integer> IO_THREADS = Option.count("io-threads", 0)
      .range(0, 256)
      .describe("Event loop threads; 0 = one per core.")
      .details("Number of I/O event loop threads. `0` = one per available core.");
  public static final Option<IoTransport> IO_TRANSPORT = Option.choice("io-transport", IoTransport.class, IoTransport.EPOLL)
      .describe("Netty transport of the event loops: epoll, io_uring (fewer system calls per write), nio.")
      .why("Every test runs on epoll; io_uring is opt-in (docs/benchmarks.md).")
      .details("Netty transport of the event loops. `io_uring` submits many sockets' writes per system call: about 30% less server CPU per delivered message in [benchmarks.md](benchmarks.md) (R2.6); it is opt-in because the test suite runs on epoll. Falls back to epoll (then nio), with a warning, where it cannot load.");

  public static final OptionSet SET = OptionSet.of("Core", List.of(
      group("Listeners", HOST, WS_PORT, TCP_PORT, WS_PATH),
      group("Messages and queues", MAX_MESSAGE_SIZE, OUTBOUND_QUEUE_BYTES, OUTBOUND_QUEUE_MESSAGES,
          SLOW_CONSUMER_POLICY, WRITE_BUFFER_HIGH_WATER, SOCKET_SEND_BUFFER, INBOUND_QUEUE_MESSAGES,
          MAX_SUBSCRIPTIONS),
      group("Deadlines", HANDSHAKE_TIMEOUT, REQUEST_TIMEOUT, KEEP_ALIVE_TIMEOUT, HEARTBEAT_INTERVAL, IDLE_TIMEOUT,
          WRITE_TIMEOUT, CLOSE_TIMEOUT, SHUTDOWN_GRACE, HANDLER_TIMEOUT),
      group("Rate limits", RATE_LIMIT, RATE_BURST, RATE_LIMIT_POLICY, HTTP_RATE_LIMIT_PER_IP),
      group("Connections", MAX_SOCKETS, MAX_CONNECTIONS, MAX_PIPELINED_REQUESTS, MAX_CONNECTIONS_PER_IP,
          CONNECT_RATE_PER_IP, CONNECT_BURST_PER_IP),
      group("Proxies", TRUSTED_PROXIES, PROXY_PROTOCOL, FORWARDED_HEADER),
      group("Security", AUTH_HMAC_SECRET, AUTH_PUBLIC_KEY, AUTH_LEEWAY, ALLOWED_ORIGINS, INSECURE, TLS_CERT, TLS_KEY),
      group("Memory budget", MEMORY_BUDGET, MEMORY_HIGH_MARK, MEMORY_SHED_MARK, MEMORY_RESUME_MARK,
          MEMORY_STAGE_DWELL, MEMORY_HEAP_HIGH, MEMORY_HEAP_CRITICAL, MEMORY_CHECK_INTERVAL, FRAME_TIMEOUT),
      group("History and recovery", HISTORY_SIZE, HISTORY_TTL, HISTORY_MAX_BYTES),
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
              : "ws-port and tcp-port are both off: nothing would listen",
          c -> c.get(MEMORY_RESUME_MARK) < c.get(MEMORY_HIGH_MARK) && c.get(MEMORY_HIGH_MARK) < c.get(MEMORY_SHED_MARK) ? null
              : "memory marks must rise: memory-resume-mark (" + c.get(MEMORY_RESUME_MARK) + "%) < memory-high-mark ("
                  + c.get(MEMORY_HIGH_MARK) + "%) < memory-shed-mark (" + c.get(MEMORY_SHED_MARK) + "%)",
          c -> c.get(MEMORY_HEAP_HIGH) < c.get(MEMORY_HEAP_CRITICAL) ? null
              : "memory-heap-high (" + c.get(MEMORY_HEAP_HIGH) + "%) must be below memory-heap-critical ("
                  + c.get(MEMORY_HEAP_CRITICAL) + "%)",
          c -> c.get(HISTORY_SIZE) <= c.get(OUTBOUND_QUEUE_MESSAGES) ? null
              : "history-size (" + c.get(HISTORY_SIZE) + ") must not exceed outbound-queue-messages ("
                  + c.get(OUTBOUND_QUEUE_MESSAGES) + "): a whole replay must fit a recovering client's queue",
          c -> c.get(PROXY_PROTOCOL) == ProxyProtocol.OFF || !c.get(TRUSTED_PROXIES).isEmpty() ? null
              : "proxy-protocol " + c.get(PROXY_PROTOCOL).optionName() + " needs trusted-proxies: the addresses"
                  + " of the proxies that send the header"));

  /** Whether connect tokens are verified (a key is configured). */
  public static boolean authConfigured(KeelConfig c) {
    return c.get(AUTH_HMAC_SECRET) != null || c.get(AUTH_PUBLIC_KEY) != null;
  }

  /** Whether {@code host} names this machine's loopback interface only. */
  public static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
