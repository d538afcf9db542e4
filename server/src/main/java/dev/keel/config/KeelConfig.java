package dev.keel.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every bound and listener of a Keel server, with its default and unit. Built with {@link #builder()};
 * {@link Builder#build()} validates and fails fast with a message naming each bad value.
 *
 * <p>Usage: {@code KeelConfig c = KeelConfig.builder().wsPort(0).tcpPort(0).build();}
 *
 * <p>The option names (and YAML keys) are listed in {@link Option}; docs/configuration.md has a row for each.
 */
public record KeelConfig(
    String host,
    int wsPort,
    int tcpPort,
    int maxMessageSize,
    Duration handshakeTimeout,
    Duration heartbeatInterval,
    Duration idleTimeout,
    Duration writeTimeout,
    int outboundQueueBytes,
    int outboundQueueMessages,
    SlowConsumerPolicy slowConsumerPolicy,
    int writeBufferHighWater,
    int socketSendBuffer,
    int rateLimit,
    int rateBurst,
    RateLimitPolicy rateLimitPolicy,
    int maxConnectionsPerIp,
    int connectRatePerIp,
    int connectBurstPerIp,
    int maxSubscriptions,
    int maxConnections,
    String authHmacSecret,
    String authPublicKey,
    String apiKey,
    java.util.List<String> allowedOrigins,
    boolean insecure,
    String tlsCert,
    String tlsKey,
    String adminHost,
    int adminPort,
    String adminToken,
    boolean adminAllowGc,
    Duration shutdownGrace,
    Duration closeTimeout,
    int ioThreads,
    int inboundQueueMessages,
    Duration handlerTimeout,
    String wsPath,
    String clusterRedis,
    int clusterPublishInflight,
    String clusterRedisTrust,
    Duration clusterRedisPingInterval,
    IoTransport ioTransport) {

  /** Defaults, one per option; the comment says why the number is what it is. */
  public static final class Defaults {
    public static final String HOST = "127.0.0.1";
    public static final int WS_PORT = 8080;
    public static final int TCP_PORT = 9090;
    /** Large enough for any chat or dashboard message, small enough that 10,000 of them fit in memory. */
    public static final int MAX_MESSAGE_SIZE = 64 * 1024;
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Under the 30-60 s idle timeouts of common load balancers and NATs. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(20);
    /** Three heartbeats: a peer must miss several pongs before it is declared dead. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    public static final int OUTBOUND_QUEUE_BYTES = 1024 * 1024;
    public static final int OUTBOUND_QUEUE_MESSAGES = 4096;
    public static final SlowConsumerPolicy SLOW_CONSUMER_POLICY = SlowConsumerPolicy.DISCONNECT;
    /** Netty's channel buffer stops taking writes above this; the user-space queue holds the rest. */
    public static final int WRITE_BUFFER_HIGH_WATER = 64 * 1024;
    /** 0 leaves SO_SNDBUF to the kernel's auto-tuning (bounded by net.ipv4.tcp_wmem). */
    public static final int SOCKET_SEND_BUFFER = 0;
    public static final int RATE_LIMIT = 200;
    public static final int RATE_BURST = 400;
    public static final RateLimitPolicy RATE_LIMIT_POLICY = RateLimitPolicy.THROTTLE;
    /** Far above one office behind a NAT, far below what one host could take of the server. */
    public static final int MAX_CONNECTIONS_PER_IP = 1000;
    /** New connections per second per address: a reconnect storm is spread over seconds. */
    public static final int CONNECT_RATE_PER_IP = 20;
    public static final int CONNECT_BURST_PER_IP = 50;
    public static final int MAX_SUBSCRIPTIONS = 256;
    public static final int MAX_CONNECTIONS = 50_000;
    /** No JWT verification unless a key is given; then loopback binds only, unless --insecure. */
    public static final String AUTH_HMAC_SECRET = null;
    public static final String AUTH_PUBLIC_KEY = null;
    public static final String API_KEY = null;
    /** Empty: any Origin (and none) may open a WebSocket. */
    public static final java.util.List<String> ALLOWED_ORIGINS = java.util.List.of();
    public static final boolean INSECURE = false;
    public static final String TLS_CERT = null;
    public static final String TLS_KEY = null;
    public static final String ADMIN_HOST = "127.0.0.1";
    /** The admin listener (metrics, debug endpoints); 0 disables it, -1 binds any free port. */
    public static final int ADMIN_PORT = 9100;
    /** No token: the admin listener relies on binding to loopback. */
    public static final String ADMIN_TOKEN = null;
    /** POST /debug/gc stops the world: off unless asked for. */
    public static final boolean ADMIN_ALLOW_GC = false;
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** How long a close frame may take to reach a peer before the socket is closed anyway. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** 0 means one event loop per available core. */
    public static final int IO_THREADS = 0;
    /** Every test runs on epoll; io_uring is measured faster (docs/benchmarks.md) but opt-in. */
    public static final IoTransport IO_TRANSPORT = IoTransport.EPOLL;
    /** Messages read ahead of a slow handler: enough to keep it busy, few enough to stay small. */
    public static final int INBOUND_QUEUE_MESSAGES = 64;
    /** Zero: handler calls are not interrupted (a handler may legitimately wait long). */
    public static final Duration HANDLER_TIMEOUT = Duration.ZERO;
    public static final String WS_PATH = "/ws";
    /** No Redis: the node runs alone, topics in memory (docs/cluster.md). */
    public static final String CLUSTER_REDIS = null;
    /** Publishes sent to Redis and not yet answered; past it a publish is refused as unavailable. */
    public static final int CLUSTER_PUBLISH_INFLIGHT = 4096;
    /** No CA file: a rediss:// server's certificate is checked against the JDK's default trust store. */
    public static final String CLUSTER_REDIS_TRUST = null;
    /**
     * Each Redis connection is PINGed this often; one not answered by the next PING is a lost link.
     * A Redis that went silent (paused, or its host gone without a FIN) is noticed within two of
     * these instead of never (subscriptions) or at the 5 s command timeout (publishes).
     */
    public static final Duration CLUSTER_REDIS_PING_INTERVAL = Duration.ofSeconds(2);

    private Defaults() {}
  }

  /**
   * Room for what a published message gains on its way out ({@code {"op":"msg","topic":T,"seq":N,"data":}}
   * around the data, topic up to 128 characters): the queue must fit the largest message with it.
   */
  public static final int MSG_ENVELOPE = 512;

  /** The longest any timeout may be: far past any useful deadline, far from overflowing nanoseconds. */
  public static final Duration MAX_DURATION = Duration.ofDays(7);

  /** Range of cluster-redis-ping-interval: a PING needs a round trip; an hour is already never. */
  public static final Duration MIN_REDIS_PING_INTERVAL = Duration.ofMillis(100);
  public static final Duration MAX_REDIS_PING_INTERVAL = Duration.ofHours(1);

  /** {@code tcp-port} value that binds any free port (0 disables the TCP listener). */
  public static final int ANY_FREE_PORT = -1;

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.wsPort = wsPort;
    b.tcpPort = tcpPort;
    b.maxMessageSize = maxMessageSize;
    b.handshakeTimeout = handshakeTimeout;
    b.heartbeatInterval = heartbeatInterval;
    b.idleTimeout = idleTimeout;
    b.writeTimeout = writeTimeout;
    b.outboundQueueBytes = outboundQueueBytes;
    b.outboundQueueMessages = outboundQueueMessages;
    b.slowConsumerPolicy = slowConsumerPolicy;
    b.writeBufferHighWater = writeBufferHighWater;
    b.socketSendBuffer = socketSendBuffer;
    b.rateLimit = rateLimit;
    b.rateBurst = rateBurst;
    b.rateLimitPolicy = rateLimitPolicy;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.connectRatePerIp = connectRatePerIp;
    b.connectBurstPerIp = connectBurstPerIp;
    b.maxSubscriptions = maxSubscriptions;
    b.maxConnections = maxConnections;
    b.authHmacSecret = authHmacSecret;
    b.authPublicKey = authPublicKey;
    b.apiKey = apiKey;
    b.allowedOrigins = allowedOrigins;
    b.insecure = insecure;
    b.tlsCert = tlsCert;
    b.tlsKey = tlsKey;
    b.adminHost = adminHost;
    b.adminPort = adminPort;
    b.adminToken = adminToken;
    b.adminAllowGc = adminAllowGc;
    b.shutdownGrace = shutdownGrace;
    b.closeTimeout = closeTimeout;
    b.ioThreads = ioThreads;
    b.inboundQueueMessages = inboundQueueMessages;
    b.handlerTimeout = handlerTimeout;
    b.wsPath = wsPath;
    b.clusterRedis = clusterRedis;
    b.clusterPublishInflight = clusterPublishInflight;
    b.clusterRedisTrust = clusterRedisTrust;
    b.clusterRedisPingInterval = clusterRedisPingInterval;
    b.ioTransport = ioTransport;
    return b;
  }

  /** Collects options; {@link #build()} checks them all and reports every bad one at once. */
  public static final class Builder {
    private String host = Defaults.HOST;
    private int wsPort = Defaults.WS_PORT;
    private int tcpPort = Defaults.TCP_PORT;
    private int maxMessageSize = Defaults.MAX_MESSAGE_SIZE;
    private Duration handshakeTimeout = Defaults.HANDSHAKE_TIMEOUT;
    private Duration heartbeatInterval = Defaults.HEARTBEAT_INTERVAL;
    private Duration idleTimeout = Defaults.IDLE_TIMEOUT;
    private Duration writeTimeout = Defaults.WRITE_TIMEOUT;
    private int outboundQueueBytes = Defaults.OUTBOUND_QUEUE_BYTES;
    private int outboundQueueMessages = Defaults.OUTBOUND_QUEUE_MESSAGES;
    private SlowConsumerPolicy slowConsumerPolicy = Defaults.SLOW_CONSUMER_POLICY;
    private int writeBufferHighWater = Defaults.WRITE_BUFFER_HIGH_WATER;
    private int socketSendBuffer = Defaults.SOCKET_SEND_BUFFER;
    private int rateLimit = Defaults.RATE_LIMIT;
    private int rateBurst = Defaults.RATE_BURST;
    private RateLimitPolicy rateLimitPolicy = Defaults.RATE_LIMIT_POLICY;
    private int maxConnectionsPerIp = Defaults.MAX_CONNECTIONS_PER_IP;
    private int connectRatePerIp = Defaults.CONNECT_RATE_PER_IP;
    private int connectBurstPerIp = Defaults.CONNECT_BURST_PER_IP;
    private int maxSubscriptions = Defaults.MAX_SUBSCRIPTIONS;
    private int maxConnections = Defaults.MAX_CONNECTIONS;
    private String authHmacSecret = Defaults.AUTH_HMAC_SECRET;
    private String authPublicKey = Defaults.AUTH_PUBLIC_KEY;
    private String apiKey = Defaults.API_KEY;
    private java.util.List<String> allowedOrigins = Defaults.ALLOWED_ORIGINS;
    private boolean insecure = Defaults.INSECURE;
    private String tlsCert = Defaults.TLS_CERT;
    private String tlsKey = Defaults.TLS_KEY;
    private String adminHost = Defaults.ADMIN_HOST;
    private int adminPort = Defaults.ADMIN_PORT;
    private String adminToken = Defaults.ADMIN_TOKEN;
    private boolean adminAllowGc = Defaults.ADMIN_ALLOW_GC;
    private Duration shutdownGrace = Defaults.SHUTDOWN_GRACE;
    private Duration closeTimeout = Defaults.CLOSE_TIMEOUT;
    private int ioThreads = Defaults.IO_THREADS;
    private IoTransport ioTransport = Defaults.IO_TRANSPORT;
    private int inboundQueueMessages = Defaults.INBOUND_QUEUE_MESSAGES;
    private Duration handlerTimeout = Defaults.HANDLER_TIMEOUT;
    private String wsPath = Defaults.WS_PATH;
    private String clusterRedis = Defaults.CLUSTER_REDIS;
    private int clusterPublishInflight = Defaults.CLUSTER_PUBLISH_INFLIGHT;
    private String clusterRedisTrust = Defaults.CLUSTER_REDIS_TRUST;
    private Duration clusterRedisPingInterval = Defaults.CLUSTER_REDIS_PING_INTERVAL;

    private Builder() {}

    public Builder host(String v) { host = v; return this; }
    public Builder wsPort(int v) { wsPort = v; return this; }
    public Builder tcpPort(int v) { tcpPort = v; return this; }
    public Builder maxMessageSize(int v) { maxMessageSize = v; return this; }
    public Builder handshakeTimeout(Duration v) { handshakeTimeout = v; return this; }
    public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
    public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
    public Builder writeTimeout(Duration v) { writeTimeout = v; return this; }
    public Builder outboundQueueBytes(int v) { outboundQueueBytes = v; return this; }
    public Builder outboundQueueMessages(int v) { outboundQueueMessages = v; return this; }
    public Builder slowConsumerPolicy(SlowConsumerPolicy v) { slowConsumerPolicy = v; return this; }
    public Builder writeBufferHighWater(int v) { writeBufferHighWater = v; return this; }
    public Builder socketSendBuffer(int v) { socketSendBuffer = v; return this; }
    public Builder rateLimit(int v) { rateLimit = v; return this; }
    public Builder rateBurst(int v) { rateBurst = v; return this; }
    public Builder rateLimitPolicy(RateLimitPolicy v) { rateLimitPolicy = v; return this; }
    public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
    public Builder connectRatePerIp(int v) { connectRatePerIp = v; return this; }
    public Builder connectBurstPerIp(int v) { connectBurstPerIp = v; return this; }
    public Builder maxSubscriptions(int v) { maxSubscriptions = v; return this; }
    public Builder maxConnections(int v) { maxConnections = v; return this; }
    public Builder authHmacSecret(String v) { authHmacSecret = v; return this; }
    public Builder authPublicKey(String v) { authPublicKey = v; return this; }
    public Builder apiKey(String v) { apiKey = v; return this; }
    public Builder allowedOrigins(java.util.List<String> v) { allowedOrigins = java.util.List.copyOf(v); return this; }
    public Builder insecure(boolean v) { insecure = v; return this; }
    public Builder tlsCert(String v) { tlsCert = v; return this; }
    public Builder tlsKey(String v) { tlsKey = v; return this; }
    public Builder adminHost(String v) { adminHost = v; return this; }
    public Builder adminPort(int v) { adminPort = v; return this; }
    public Builder adminToken(String v) { adminToken = v; return this; }
    public Builder adminAllowGc(boolean v) { adminAllowGc = v; return this; }
    public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }
    public Builder closeTimeout(Duration v) { closeTimeout = v; return this; }
    public Builder ioThreads(int v) { ioThreads = v; return this; }
    public Builder inboundQueueMessages(int v) { inboundQueueMessages = v; return this; }
    /** Duration.ZERO (the default) for none. */
    public Builder handlerTimeout(Duration v) { handlerTimeout = v; return this; }
    public Builder wsPath(String v) { wsPath = v; return this; }
    public Builder clusterRedis(String v) { clusterRedis = v; return this; }
    public Builder clusterPublishInflight(int v) { clusterPublishInflight = v; return this; }
    /** PEM file of the CA certificate(s) that sign the rediss:// server's certificate; null: the JDK's. */
    public Builder clusterRedisTrust(String v) { clusterRedisTrust = v; return this; }
    public Builder clusterRedisPingInterval(Duration v) { clusterRedisPingInterval = v; return this; }
    public Builder ioTransport(IoTransport v) { ioTransport = v; return this; }

    /** Sets one option by its name (as in {@link Option}) from text in the option's unit. */
    public Builder set(Option option, String text) {
      option.apply(this, text);
      return this;
    }

    /**
     * Validates every option.
     *
     * @throws IllegalArgumentException naming each option whose value is out of range
     */
    public KeelConfig build() {
      List<String> errors = new ArrayList<>();
      require(errors, host != null && !host.isBlank(), "host must not be empty");
      requirePort(errors, "ws-port", wsPort);
      require(errors, tcpPort >= ANY_FREE_PORT && tcpPort <= 65535,
          "tcp-port must be between 0 (disabled) and 65535, or -1 (any free port), was " + tcpPort);
      require(errors, maxMessageSize >= 64 && maxMessageSize <= 16 * 1024 * 1024,
          "max-message-size must be between 64 bytes and 16MiB, was " + maxMessageSize);
      requirePositive(errors, "handshake-timeout", handshakeTimeout);
      requirePositive(errors, "heartbeat-interval", heartbeatInterval);
      requirePositive(errors, "idle-timeout", idleTimeout);
      requirePositive(errors, "write-timeout", writeTimeout);
      requirePositive(errors, "shutdown-grace", shutdownGrace);
      requirePositive(errors, "close-timeout", closeTimeout);
      if (heartbeatInterval != null && idleTimeout != null) {
        require(errors, heartbeatInterval.compareTo(idleTimeout) < 0,
            "heartbeat-interval (" + Units.formatDuration(heartbeatInterval)
                + ") must be shorter than idle-timeout (" + Units.formatDuration(idleTimeout)
                + "), or live peers would be closed as idle");
      }
      require(errors, (long) outboundQueueBytes >= (long) maxMessageSize + MSG_ENVELOPE,
          "outbound-queue-bytes (" + outboundQueueBytes + ") must hold at least one message of"
              + " max-message-size (" + maxMessageSize + ") plus its " + MSG_ENVELOPE + "-byte msg envelope");
      require(errors, outboundQueueMessages >= 1,
          "outbound-queue-messages must be at least 1, was " + outboundQueueMessages);
      require(errors, slowConsumerPolicy != null, "slow-consumer-policy must be set");
      require(errors, ioTransport != null, "io-transport must be set");
      require(errors, writeBufferHighWater >= 1024 && writeBufferHighWater <= 64 * 1024 * 1024,
          "write-buffer-high-water must be between 1KiB and 64MiB, was " + writeBufferHighWater);
      require(errors, socketSendBuffer == 0 || (socketSendBuffer >= 1024 && socketSendBuffer <= 64 * 1024 * 1024),
          "socket-send-buffer must be 0 (kernel default) or between 1KiB and 64MiB, was " + socketSendBuffer);
      require(errors, rateLimit >= 1, "rate-limit must be at least 1 message/s, was " + rateLimit);
      require(errors, rateBurst >= 1, "rate-burst must be at least 1, was " + rateBurst);
      require(errors, rateLimitPolicy != null, "rate-limit-policy must be set");
      require(errors, maxConnectionsPerIp >= 1,
          "max-connections-per-ip must be at least 1, was " + maxConnectionsPerIp);
      require(errors, connectRatePerIp >= 1 && connectRatePerIp <= 1_000_000,
          "connect-rate-per-ip must be between 1 and 1000000 per second, was " + connectRatePerIp);
      require(errors, connectBurstPerIp >= 1,
          "connect-burst-per-ip must be at least 1, was " + connectBurstPerIp);
      require(errors, maxSubscriptions >= 1,
          "max-subscriptions must be at least 1, was " + maxSubscriptions);
      require(errors, maxConnections >= 1,
          "max-connections must be at least 1, was " + maxConnections);
      require(errors, authHmacSecret == null || authHmacSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 32,
          "auth-hmac-secret must be at least 32 bytes (HS256 needs a 256-bit key)");
      require(errors, authHmacSecret == null || authPublicKey == null,
          "give auth-hmac-secret or auth-public-key, not both");
      require(errors, authPublicKey == null || java.nio.file.Files.isReadable(java.nio.file.Path.of(authPublicKey)),
          "auth-public-key " + authPublicKey + " is not a readable file");
      require(errors, apiKey == null || apiKey.length() >= 16,
          "api-key must be at least 16 characters (or unset)");
      require(errors, (tlsCert == null) == (tlsKey == null), "tls-cert and tls-key go together");
      require(errors, tlsCert == null || java.nio.file.Files.isReadable(java.nio.file.Path.of(tlsCert)),
          "tls-cert " + tlsCert + " is not a readable file");
      require(errors, tlsKey == null || java.nio.file.Files.isReadable(java.nio.file.Path.of(tlsKey)),
          "tls-key " + tlsKey + " is not a readable file");
      if (host != null && !insecure && authHmacSecret == null && authPublicKey == null) {
        require(errors, isLoopback(host),
            "refusing to bind " + host + " without authentication: set auth-hmac-secret or auth-public-key,"
                + " or pass --insecure to accept anyone");
      }
      require(errors, adminHost != null && !adminHost.isBlank(), "admin-host must not be empty");
      require(errors, adminPort >= ANY_FREE_PORT && adminPort <= 65535,
          "admin-port must be between 0 (disabled) and 65535, or -1 (any free port), was " + adminPort);
      require(errors, adminToken == null || adminToken.length() >= 16,
          "admin-token must be at least 16 characters (or unset), was " + (adminToken == null ? 0 : adminToken.length()));
      require(errors, ioThreads >= 0 && ioThreads <= 256,
          "io-threads must be between 0 (one per core) and 256, was " + ioThreads);
      require(errors, inboundQueueMessages >= 1 && inboundQueueMessages <= 65536,
          "inbound-queue-messages must be between 1 and 65536, was " + inboundQueueMessages);
      require(errors, handlerTimeout != null && !handlerTimeout.isNegative()
              && handlerTimeout.compareTo(MAX_DURATION) <= 0,
          "handler-timeout must be 0 (none) or a positive duration of at most 7 days, was "
              + (handlerTimeout == null ? "unset" : Units.formatDuration(handlerTimeout)));
      require(errors, wsPath != null && wsPath.matches("/[A-Za-z0-9._~/-]{0,255}")
              && !wsPath.equals("/healthz") && !wsPath.equals("/api/publish"),
          "ws-path must be / followed by up to 255 of A-Z a-z 0-9 . _ ~ / - (not /healthz or /api/publish), was "
              + wsPath);
      String redisProblem = redisUriProblem(clusterRedis);
      require(errors, redisProblem == null, "cluster-redis " + redisProblem);
      require(errors, clusterPublishInflight >= 1 && clusterPublishInflight <= 1_000_000,
          "cluster-publish-inflight must be 1 to 1,000,000, was " + clusterPublishInflight);
      if (clusterRedisTrust != null) {
        require(errors, clusterRedis != null && clusterRedis.startsWith("rediss://"),
            "cluster-redis-trust is for TLS to Redis: it needs a rediss:// cluster-redis");
        String trustProblem = pemCertificatesProblem(clusterRedisTrust);
        require(errors, trustProblem == null, "cluster-redis-trust " + clusterRedisTrust + " " + trustProblem);
      }
      require(errors, clusterRedisPingInterval != null
              && clusterRedisPingInterval.compareTo(MIN_REDIS_PING_INTERVAL) >= 0
              && clusterRedisPingInterval.compareTo(MAX_REDIS_PING_INTERVAL) <= 0,
          "cluster-redis-ping-interval must be between 100ms and 1h, was "
              + (clusterRedisPingInterval == null ? "unset" : Units.formatDuration(clusterRedisPingInterval)));
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException("invalid configuration: " + String.join("; ", errors));
      }
      return new KeelConfig(host, wsPort, tcpPort, maxMessageSize, handshakeTimeout,
          heartbeatInterval, idleTimeout, writeTimeout, outboundQueueBytes, outboundQueueMessages,
          slowConsumerPolicy, writeBufferHighWater, socketSendBuffer, rateLimit, rateBurst, rateLimitPolicy,
          maxConnectionsPerIp, connectRatePerIp, connectBurstPerIp,
          maxSubscriptions, maxConnections, authHmacSecret, authPublicKey, apiKey, allowedOrigins, insecure,
          tlsCert, tlsKey, adminHost, adminPort, adminToken, adminAllowGc, shutdownGrace, closeTimeout, ioThreads,
          inboundQueueMessages, handlerTimeout, wsPath, clusterRedis, clusterPublishInflight, clusterRedisTrust,
          clusterRedisPingInterval, ioTransport);
    }

    /** Null when {@code file} holds at least one PEM X.509 certificate; else what is wrong with it. */
    private static String pemCertificatesProblem(String file) {
      java.nio.file.Path path = java.nio.file.Path.of(file);
      if (!java.nio.file.Files.isReadable(path)) {
        return "is not a readable file";
      }
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
        if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
          return "holds no PEM certificate";
        }
        return null;
      } catch (java.io.IOException | java.security.cert.CertificateException e) {
        return "holds no readable PEM certificate (" + e.getMessage() + ")";
      }
    }

    /** Null when {@code uri} is absent or a usable redis:// or rediss:// URI; else what is wrong with it. */
    private static String redisUriProblem(String uri) {
      if (uri == null) {
        return null;
      }
      java.net.URI u;
      try {
        u = new java.net.URI(uri);
      } catch (java.net.URISyntaxException e) {
        return "is not a URI (" + e.getReason() + "): use redis://HOST:PORT or rediss://:PASSWORD@HOST:PORT";
      }
      if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
        return "must start with redis:// or rediss://, was " + uri.replaceAll(":[^:@/]*@", ":***@");
      }
      if (u.getHost() == null || u.getHost().isBlank()) {
        return "has no host: use redis://HOST:PORT";
      }
      if (u.getPort() < -1 || u.getPort() == 0 || u.getPort() > 65535) {
        return "has an invalid port " + u.getPort();
      }
      return null;
    }

    private static boolean isLoopback(String host) {
      return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    private static void require(List<String> errors, boolean ok, String message) {
      if (!ok) {
        errors.add(message);
      }
    }

    private static void requirePort(List<String> errors, String name, int port) {
      require(errors, port >= 0 && port <= 65535,
          name + " must be between 0 and 65535, was " + port);
    }

    private static void requirePositive(List<String> errors, String name, Duration d) {
      require(errors, d != null && !d.isNegative() && !d.isZero() && d.compareTo(MAX_DURATION) <= 0,
          name + " must be a positive duration of at most 7 days, was "
              + (d == null ? "unset" : Units.formatDuration(d)));
    }
  }
}
