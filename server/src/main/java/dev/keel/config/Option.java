package dev.keel.config;

import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every configurable option, by the name used on the command line ({@code --name}) and in the YAML
 * file ({@code name: value}). The CLI builds its {@code --help} from this list, so an option cannot
 * exist in one place and be missing from the other.
 */
public enum Option {
  HOST("host", "ADDR", "Bind address of both listeners.", c -> c.host(),
      (b, v) -> b.host(v)),
  WS_PORT("ws-port", "PORT", "HTTP + WebSocket port (GET /ws, POST /api/publish, GET /healthz); 0 picks a free port.",
      c -> Integer.toString(c.wsPort()), (b, v) -> b.wsPort(parseInt("ws-port", v))),
  TCP_PORT("tcp-port", "PORT", "Framed TCP port; 0 disables the TCP listener, -1 binds any free port.",
      c -> Integer.toString(c.tcpPort()), (b, v) -> b.tcpPort(parseInt("tcp-port", v))),
  MAX_MESSAGE_SIZE("max-message-size", "SIZE",
      "Largest inbound message (and HTTP publish body); larger: WS close 1009, TCP error too_large then close.",
      c -> Units.formatSize(c.maxMessageSize()), (b, v) -> b.maxMessageSize(parseIntSize("max-message-size", v))),
  HANDSHAKE_TIMEOUT("handshake-timeout", "DURATION",
      "WebSocket upgrade (or first TCP frame, or first HTTP request) not done in time: close.",
      c -> Units.formatDuration(c.handshakeTimeout()), (b, v) -> b.handshakeTimeout(Units.parseDuration(v))),
  HEARTBEAT_INTERVAL("heartbeat-interval", "DURATION", "Interval of WS ping frames / empty TCP frames.",
      c -> Units.formatDuration(c.heartbeatInterval()), (b, v) -> b.heartbeatInterval(Units.parseDuration(v))),
  IDLE_TIMEOUT("idle-timeout", "DURATION", "No inbound bytes at all (pongs count) for this long: close 1001.",
      c -> Units.formatDuration(c.idleTimeout()), (b, v) -> b.idleTimeout(Units.parseDuration(v))),
  WRITE_TIMEOUT("write-timeout", "DURATION",
      "Queued outbound data makes no progress for this long: close 1008 slow consumer.",
      c -> Units.formatDuration(c.writeTimeout()), (b, v) -> b.writeTimeout(Units.parseDuration(v))),
  OUTBOUND_QUEUE_BYTES("outbound-queue-bytes", "SIZE", "Per-connection bound on queued outbound bytes.",
      c -> Units.formatSize(c.outboundQueueBytes()),
      (b, v) -> b.outboundQueueBytes(parseIntSize("outbound-queue-bytes", v))),
  OUTBOUND_QUEUE_MESSAGES("outbound-queue-messages", "COUNT", "Per-connection bound on queued outbound messages.",
      c -> Integer.toString(c.outboundQueueMessages()),
      (b, v) -> b.outboundQueueMessages(parseInt("outbound-queue-messages", v))),
  SLOW_CONSUMER_POLICY("slow-consumer-policy", "POLICY",
      "When the outbound queue is full: disconnect (close 1008), drop-oldest, drop-newest.",
      c -> c.slowConsumerPolicy().optionName(),
      (b, v) -> b.slowConsumerPolicy(SlowConsumerPolicy.parse(v))),
  WRITE_BUFFER_HIGH_WATER("write-buffer-high-water", "SIZE",
      "Netty's per-channel write buffer stops taking writes above this (low water is half); the queue holds the rest.",
      c -> Units.formatSize(c.writeBufferHighWater()),
      (b, v) -> b.writeBufferHighWater(parseIntSize("write-buffer-high-water", v))),
  SOCKET_SEND_BUFFER("socket-send-buffer", "SIZE",
      "SO_SNDBUF of each connection: kernel memory a stalled peer can hold; 0 = kernel auto-tuning.",
      c -> Units.formatSize(c.socketSendBuffer()),
      (b, v) -> b.socketSendBuffer(parseIntSize("socket-send-buffer", v))),
  RATE_LIMIT("rate-limit", "PER_SECOND", "Inbound messages per second per connection (token bucket refill).",
      c -> Integer.toString(c.rateLimit()), (b, v) -> b.rateLimit(parseInt("rate-limit", v))),
  RATE_BURST("rate-burst", "COUNT", "Token bucket size: messages a connection may send at once.",
      c -> Integer.toString(c.rateBurst()), (b, v) -> b.rateBurst(parseInt("rate-burst", v))),
  RATE_LIMIT_POLICY("rate-limit-policy", "POLICY",
      "Over the rate: throttle (stop reading until tokens refill; TCP pushes back) or disconnect (close 1008 rate limit).",
      c -> c.rateLimitPolicy().optionName(), (b, v) -> b.rateLimitPolicy(RateLimitPolicy.parse(v))),
  MAX_CONNECTIONS_PER_IP("max-connections-per-ip", "COUNT",
      "Open connections (WS, TCP and HTTP) from one address; over: WS 503, TCP closed at once.",
      c -> Integer.toString(c.maxConnectionsPerIp()),
      (b, v) -> b.maxConnectionsPerIp(parseInt("max-connections-per-ip", v))),
  CONNECT_RATE_PER_IP("connect-rate-per-ip", "PER_SECOND",
      "New connections per second from one address (token bucket); over: WS 503, TCP closed at once.",
      c -> Integer.toString(c.connectRatePerIp()),
      (b, v) -> b.connectRatePerIp(parseInt("connect-rate-per-ip", v))),
  CONNECT_BURST_PER_IP("connect-burst-per-ip", "COUNT", "Bucket size of connect-rate-per-ip.",
      c -> Integer.toString(c.connectBurstPerIp()),
      (b, v) -> b.connectBurstPerIp(parseInt("connect-burst-per-ip", v))),
  MAX_SUBSCRIPTIONS("max-subscriptions", "COUNT", "Topics one connection may subscribe to; over: error limit_exceeded.",
      c -> Integer.toString(c.maxSubscriptions()), (b, v) -> b.maxSubscriptions(parseInt("max-subscriptions", v))),
  MAX_CONNECTIONS("max-connections", "COUNT",
      "Open WS + TCP connections; over: WS handshake refused with 503, TCP closed at once.",
      c -> Integer.toString(c.maxConnections()), (b, v) -> b.maxConnections(parseInt("max-connections", v))),
  AUTH_HMAC_SECRET("auth-hmac-secret", "SECRET",
      "Verify connect tokens (JWT) signed HS256 with this secret (at least 32 bytes); also $KEEL_AUTH_HMAC_SECRET.",
      c -> c.authHmacSecret() == null ? "none" : "(set)", (b, v) -> b.authHmacSecret(v.isEmpty() ? null : v)),
  AUTH_PUBLIC_KEY("auth-public-key", "PEM_FILE", "Verify connect tokens (JWT) signed RS256 or ES256 with this public key.",
      c -> c.authPublicKey() == null ? "none" : c.authPublicKey(), (b, v) -> b.authPublicKey(v.isEmpty() ? null : v)),
  API_KEY("api-key", "SECRET", "When set, POST /api/publish needs 'Authorization: Bearer KEY' (else 401); also $KEEL_API_KEY.",
      c -> c.apiKey() == null ? "none" : "(set)", (b, v) -> b.apiKey(v.isEmpty() ? null : v)),
  ALLOWED_ORIGINS("allowed-origins", "ORIGINS",
      "Comma-separated Origins allowed to open a WebSocket (e.g. https://app.example.com); others get 403. Empty: any.",
      c -> String.join(",", c.allowedOrigins()),
      (b, v) -> b.allowedOrigins(java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())),
  INSECURE("insecure", "BOOLEAN", "Allow binding a non-loopback host with no authentication configured.",
      c -> Boolean.toString(c.insecure()), (b, v) -> b.insecure(parseBoolean(v))),
  TLS_CERT("tls-cert", "PEM_FILE", "Certificate chain (PEM): TLS on the WebSocket (wss) and TCP listeners.",
      c -> c.tlsCert() == null ? "none" : c.tlsCert(), (b, v) -> b.tlsCert(v.isEmpty() ? null : v)),
  TLS_KEY("tls-key", "PEM_FILE", "Private key (PEM, PKCS#8) of tls-cert.",
      c -> c.tlsKey() == null ? "none" : c.tlsKey(), (b, v) -> b.tlsKey(v.isEmpty() ? null : v)),
  ADMIN_HOST("admin-host", "ADDR", "Bind address of the admin listener (metrics, debug endpoints).",
      c -> c.adminHost(), (b, v) -> b.adminHost(v)),
  ADMIN_PORT("admin-port", "PORT",
      "Admin listener: GET /metrics, /debug/*; 0 disables it, -1 binds any free port. Never the public port.",
      c -> Integer.toString(c.adminPort()), (b, v) -> b.adminPort(parseInt("admin-port", v))),
  ADMIN_TOKEN("admin-token", "TOKEN",
      "When set, every admin request needs 'Authorization: Bearer TOKEN' (else 401); also read from $KEEL_ADMIN_TOKEN.",
      c -> c.adminToken() == null ? "none" : "(set)", (b, v) -> b.adminToken(v.isEmpty() ? null : v)),
  ADMIN_ALLOW_GC("admin-allow-gc", "BOOLEAN", "Allow POST /debug/gc (a full, stop-the-world GC).",
      c -> Boolean.toString(c.adminAllowGc()), (b, v) -> b.adminAllowGc(parseBoolean(v))),
  SHUTDOWN_GRACE("shutdown-grace", "DURATION", "On SIGTERM, how long queues may flush before the rest is closed.",
      c -> Units.formatDuration(c.shutdownGrace()), (b, v) -> b.shutdownGrace(Units.parseDuration(v))),
  CLOSE_TIMEOUT("close-timeout", "DURATION",
      "How long a close frame may take to reach a peer before the socket is closed anyway.",
      c -> Units.formatDuration(c.closeTimeout()), (b, v) -> b.closeTimeout(Units.parseDuration(v))),
  IO_THREADS("io-threads", "COUNT", "Event loop threads; 0 = one per core.",
      c -> Integer.toString(c.ioThreads()), (b, v) -> b.ioThreads(parseInt("io-threads", v))),
  IO_TRANSPORT("io-transport", "TRANSPORT",
      "Netty transport of the event loops: epoll, io_uring (fewer system calls per write), nio.",
      c -> c.ioTransport().optionName(), (b, v) -> b.ioTransport(IoTransport.parse(v))),
  INBOUND_QUEUE_MESSAGES("inbound-queue-messages", "COUNT",
      "Messages read ahead of a connection's handler; when full, the socket is not read (TCP pushes back).",
      c -> Integer.toString(c.inboundQueueMessages()),
      (b, v) -> b.inboundQueueMessages(parseInt("inbound-queue-messages", v))),
  HANDLER_TIMEOUT("handler-timeout", "DURATION",
      "A handler call running longer than this is interrupted; 0 = never.",
      c -> Units.formatDuration(c.handlerTimeout()), (b, v) -> b.handlerTimeout(Units.parseDuration(v))),
  WS_PATH("ws-path", "PATH", "HTTP path of the WebSocket upgrade.", c -> c.wsPath(), (b, v) -> b.wsPath(v.trim())),
  CLUSTER_REDIS("cluster-redis", "URI",
      "Share topics with other nodes through Redis (redis://[:PASSWORD@]HOST:PORT, rediss:// for TLS); none: run alone.",
      c -> c.clusterRedis() == null ? "none" : c.clusterRedis().replaceAll(":[^:@/]*@", ":***@"),
      (b, v) -> b.clusterRedis(v.isBlank() || v.equals("none") ? null : v.trim())),
  CLUSTER_PUBLISH_INFLIGHT("cluster-publish-inflight", "COUNT",
      "Publishes sent to Redis and not yet answered; over: pub error unavailable, HTTP 503.",
      c -> Integer.toString(c.clusterPublishInflight()),
      (b, v) -> b.clusterPublishInflight(parseInt("cluster-publish-inflight", v))),
  CLUSTER_REDIS_TRUST("cluster-redis-trust", "PEM_FILE",
      "CA certificate(s) that sign the rediss:// server's certificate; none: the JDK's default trust store.",
      c -> c.clusterRedisTrust() == null ? "none" : c.clusterRedisTrust(),
      (b, v) -> b.clusterRedisTrust(v.isBlank() || v.equals("none") ? null : v.trim())),
  CLUSTER_REDIS_PING_INTERVAL("cluster-redis-ping-interval", "DURATION",
      "PING both Redis connections this often; one unanswered by the next PING: degraded, reconnect.",
      c -> Units.formatDuration(c.clusterRedisPingInterval()),
      (b, v) -> b.clusterRedisPingInterval(Units.parseDuration(v)));

  private final String key;
  private final String label;
  private final String description;
  private final Function<KeelConfig, String> show;
  private final BiConsumer<KeelConfig.Builder, String> apply;

  Option(String key, String label, String description, Function<KeelConfig, String> show,
      BiConsumer<KeelConfig.Builder, String> apply) {
    this.key = key;
    this.label = label;
    this.description = description;
    this.show = show;
    this.apply = apply;
  }

  /** The name: {@code --key} on the command line, {@code key:} in YAML. */
  public String key() {
    return key;
  }

  public String label() {
    return label;
  }

  public String description() {
    return description;
  }

  /** The option's value in {@code config}, written in its unit. */
  public String valueIn(KeelConfig config) {
    return show.apply(config);
  }

  void apply(KeelConfig.Builder builder, String text) {
    try {
      apply.accept(builder, text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  public static Option byKey(String key) {
    for (Option o : values()) {
      if (o.key.equals(key)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown option '" + key + "'");
  }

  private static int parseInt(String name, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a whole number", e);
    }
  }

  private static boolean parseBoolean(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
    };
  }

  private static int parseIntSize(String name, String text) {
    long bytes = Units.parseSize(text);
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("'" + text + "' is too large (at most 2GiB - 1)");
    }
    return (int) bytes;
  }
}
