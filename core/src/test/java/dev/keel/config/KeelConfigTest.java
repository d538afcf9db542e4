package dev.keel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class KeelConfigTest {

  @Test
  void defaults_matchTheDocumentedTable() {
    KeelConfig c = KeelConfig.builder().build();
    assertThat(c.host()).as("host").isEqualTo("127.0.0.1");
    assertThat(c.wsPort()).as("ws-port").isEqualTo(8080);
    assertThat(c.tcpPort()).as("tcp-port").isEqualTo(9090);
    assertThat(c.maxMessageSize()).as("max-message-size").isEqualTo(64 * 1024);
    assertThat(c.handshakeTimeout()).as("handshake-timeout").isEqualTo(Duration.ofSeconds(10));
    assertThat(c.heartbeatInterval()).as("heartbeat-interval").isEqualTo(Duration.ofSeconds(20));
    assertThat(c.idleTimeout()).as("idle-timeout").isEqualTo(Duration.ofSeconds(60));
    assertThat(c.writeTimeout()).as("write-timeout").isEqualTo(Duration.ofSeconds(10));
    assertThat(c.outboundQueueBytes()).as("outbound-queue-bytes").isEqualTo(1024 * 1024);
    assertThat(c.outboundQueueMessages()).as("outbound-queue-messages").isEqualTo(4096);
    assertThat(c.slowConsumerPolicy()).as("slow-consumer-policy")
        .isEqualTo(SlowConsumerPolicy.DISCONNECT);
    assertThat(c.rateLimit()).as("rate-limit").isEqualTo(200);
    assertThat(c.rateBurst()).as("rate-burst").isEqualTo(400);
    assertThat(c.rateLimitPolicy()).as("rate-limit-policy").isEqualTo(RateLimitPolicy.THROTTLE);
    assertThat(c.maxSubscriptions()).as("max-subscriptions").isEqualTo(256);
    assertThat(c.maxConnections()).as("max-connections").isEqualTo(50_000);
    assertThat(c.shutdownGrace()).as("shutdown-grace").isEqualTo(Duration.ofSeconds(10));
    assertThat(c.closeTimeout()).as("close-timeout").isEqualTo(Duration.ofSeconds(1));
    assertThat(c.ioThreads()).as("io-threads").isZero();
    assertThat(c.ioTransport()).as("io-transport").isEqualTo(IoTransport.EPOLL);
    assertThat(c.writeBufferHighWater()).as("write-buffer-high-water").isEqualTo(64 * 1024);
    assertThat(c.inboundQueueMessages()).as("inbound-queue-messages").isEqualTo(64);
    assertThat(c.handlerTimeout()).as("handler-timeout (none)").isEqualTo(Duration.ZERO);
    assertThat(c.wsPath()).as("ws-path").isEqualTo("/ws");
    assertThat(c.clusterRedis()).as("cluster-redis (none: alone)").isNull();
    assertThat(c.clusterPublishInflight()).as("cluster-publish-inflight").isEqualTo(4096);
    assertThat(c.clusterRedisTrust()).as("cluster-redis-trust (none: the JDK's trust store)").isNull();
    assertThat(c.clusterRedisPingInterval()).as("cluster-redis-ping-interval").isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void clusterRedisTrust_takesAPemCaFile_onlyWithRediss_andRefusesAFileWithoutACertificate() throws Exception {
    io.netty.pkitesting.X509Bundle ca = new io.netty.pkitesting.CertificateBuilder().subject("CN=test ca").ecp256()
        .setIsCertificateAuthority(true).buildSelfSigned();
    java.io.File pem = ca.toTempCertChainPem();
    java.io.File notPem = java.io.File.createTempFile("keel-not-a-cert", ".pem");
    try {
      KeelConfig c = KeelConfig.builder().clusterRedis("rediss://127.0.0.1:6380")
          .set(Option.CLUSTER_REDIS_TRUST, pem.getPath()).build();
      assertThat(c.clusterRedisTrust()).isEqualTo(pem.getPath());
      assertThat(Option.CLUSTER_REDIS_TRUST.valueIn(c)).as("shown as its path").isEqualTo(pem.getPath());
      assertThatThrownBy(() -> KeelConfig.builder().clusterRedis("redis://127.0.0.1:6379")
          .clusterRedisTrust(pem.getPath()).build())
          .as("a CA for a plaintext redis://").hasMessageContaining("cluster-redis-trust is for TLS to Redis");
      assertThatThrownBy(() -> KeelConfig.builder().clusterRedisTrust(pem.getPath()).build())
          .as("a CA without cluster-redis").hasMessageContaining("needs a rediss:// cluster-redis");
      java.nio.file.Files.writeString(notPem.toPath(), "not a certificate\n");
      assertThatThrownBy(() -> KeelConfig.builder().clusterRedis("rediss://127.0.0.1:6380")
          .clusterRedisTrust(notPem.getPath()).build())
          .as("a file with no certificate").hasMessageContaining("cluster-redis-trust " + notPem.getPath() + " holds no");
      assertThatThrownBy(() -> KeelConfig.builder().clusterRedis("rediss://127.0.0.1:6380")
          .clusterRedisTrust("/nonexistent/ca.pem").build())
          .as("a missing file").hasMessageContaining("cluster-redis-trust /nonexistent/ca.pem is not a readable file");
    } finally {
      pem.delete();
      notPem.delete();
    }
  }

  @Test
  void clusterRedisPingInterval_acceptsItsBounds() {
    assertThat(KeelConfig.builder().set(Option.CLUSTER_REDIS_PING_INTERVAL, "100ms").build().clusterRedisPingInterval())
        .isEqualTo(Duration.ofMillis(100));
    assertThat(KeelConfig.builder().set(Option.CLUSTER_REDIS_PING_INTERVAL, "1h").build().clusterRedisPingInterval())
        .isEqualTo(Duration.ofHours(1));
  }

  @Test
  void clusterRedis_acceptsRedisAndRedissWithPassword_andNeverShowsThePassword() {
    KeelConfig c = KeelConfig.builder().clusterRedis("rediss://:s3cret@redis.internal:6380").build();
    assertThat(Option.CLUSTER_REDIS.valueIn(c)).isEqualTo("rediss://:***@redis.internal:6380");
    assertThat(KeelConfig.builder().set(Option.CLUSTER_REDIS, "none").build().clusterRedis()).isNull();
    assertThat(KeelConfig.builder().clusterRedis("redis://127.0.0.1:6379/0").build().clusterRedis())
        .isEqualTo("redis://127.0.0.1:6379/0");
  }

  @Test
  void defaults_areShownInTheirUnits() {
    KeelConfig c = KeelConfig.builder().build();
    assertThat(Option.MAX_MESSAGE_SIZE.valueIn(c)).as("max-message-size shown").isEqualTo("64KiB");
    assertThat(Option.OUTBOUND_QUEUE_BYTES.valueIn(c)).as("outbound-queue-bytes shown").isEqualTo("1MiB");
    assertThat(Option.HANDSHAKE_TIMEOUT.valueIn(c)).as("handshake-timeout shown").isEqualTo("10s");
    assertThat(Option.SLOW_CONSUMER_POLICY.valueIn(c)).as("slow-consumer-policy shown")
        .isEqualTo("disconnect");
    assertThat(Option.RATE_LIMIT_POLICY.valueIn(c)).as("rate-limit-policy shown").isEqualTo("throttle");
  }

  @ParameterizedTest(name = "{0}")
  // Secrets are never shown and file options need real files: their own tests cover them.
  @EnumSource(value = Option.class, mode = EnumSource.Mode.EXCLUDE,
      names = {"ADMIN_TOKEN", "AUTH_HMAC_SECRET", "API_KEY", "AUTH_PUBLIC_KEY", "TLS_CERT", "TLS_KEY",
          "CLUSTER_REDIS_TRUST"})
  void set_shownValueOfANonDefaultConfig_readsBackTheSameValue(Option option) {
    KeelConfig custom = KeelConfig.builder().host("127.0.0.2").insecure(true).wsPort(1).tcpPort(-1)
        .maxConnectionsPerIp(7).connectRatePerIp(8).connectBurstPerIp(9)
        .allowedOrigins(java.util.List.of("https://a.example", "https://b.example"))
        .maxMessageSize(1000).handshakeTimeout(Duration.ofMillis(1500))
        .heartbeatInterval(Duration.ofSeconds(7)).idleTimeout(Duration.ofMinutes(2))
        .writeTimeout(Duration.ofMillis(250)).outboundQueueBytes(3 * 1024 * 1024)
        .outboundQueueMessages(17).slowConsumerPolicy(SlowConsumerPolicy.DROP_OLDEST)
        .writeBufferHighWater(2048).socketSendBuffer(4096).rateLimit(3).rateBurst(4)
        .rateLimitPolicy(RateLimitPolicy.DISCONNECT).maxSubscriptions(5).maxConnections(6)
        .adminHost("0.0.0.0").adminPort(9999).adminAllowGc(true)
        .shutdownGrace(Duration.ofHours(1)).closeTimeout(Duration.ofMillis(1)).ioThreads(7)
        .inboundQueueMessages(8).handlerTimeout(Duration.ofSeconds(9)).wsPath("/chat")
        .clusterRedis("redis://127.0.0.1:6390").clusterPublishInflight(99)
        .clusterRedisPingInterval(Duration.ofMillis(750)).ioTransport(IoTransport.IO_URING).build();
    KeelConfig readBack = KeelConfig.builder().set(option, option.valueIn(custom)).build();
    assertThat(option.valueIn(readBack))
        .as("--%s %s must set the option to the value it was shown as", option.key(), option.valueIn(custom))
        .isEqualTo(option.valueIn(custom));
    assertThat(option.valueIn(readBack)).as("--%s must differ from its default in this test", option.key())
        .isNotEqualTo(option.valueIn(KeelConfig.builder().build()));
  }

  @Test
  void toBuilder_copiesEveryOption() {
    KeelConfig custom = KeelConfig.builder().wsPort(0).tcpPort(0).ioThreads(2)
        .slowConsumerPolicy(SlowConsumerPolicy.DROP_NEWEST).idleTimeout(Duration.ofSeconds(90)).build();
    assertThat(custom.toBuilder().build()).as("toBuilder().build() of a config").isEqualTo(custom);
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        bad("host", b -> b.host(" ")),
        bad("host", b -> b.host(null)),
        bad("ws-port", b -> b.wsPort(-1)),
        bad("ws-port", b -> b.wsPort(65536)),
        bad("tcp-port", b -> b.tcpPort(-2)),
        bad("tcp-port", b -> b.tcpPort(70000)),
        bad("max-message-size", b -> b.maxMessageSize(63)),
        bad("max-message-size", b -> b.maxMessageSize(16 * 1024 * 1024 + 1).outboundQueueBytes(Integer.MAX_VALUE)),
        bad("handshake-timeout", b -> b.handshakeTimeout(Duration.ZERO)),
        bad("handshake-timeout", b -> b.handshakeTimeout(null)),
        bad("heartbeat-interval", b -> b.heartbeatInterval(Duration.ofSeconds(-1))),
        bad("heartbeat-interval", b -> b.heartbeatInterval(Duration.ofSeconds(60))),
        bad("idle-timeout", b -> b.idleTimeout(Duration.ZERO)),
        bad("write-timeout", b -> b.writeTimeout(Duration.ZERO)),
        bad("shutdown-grace", b -> b.shutdownGrace(Duration.ZERO)),
        bad("close-timeout", b -> b.closeTimeout(Duration.ofMillis(-1))),
        bad("outbound-queue-bytes", b -> b.outboundQueueBytes(64 * 1024 + KeelConfig.MSG_ENVELOPE - 1)),
        bad("idle-timeout", b -> b.idleTimeout(Duration.ofDays(8))),
        bad("outbound-queue-messages", b -> b.outboundQueueMessages(0)),
        bad("slow-consumer-policy", b -> b.slowConsumerPolicy(null)),
        bad("write-buffer-high-water", b -> b.writeBufferHighWater(1023)),
        bad("write-buffer-high-water", b -> b.writeBufferHighWater(64 * 1024 * 1024 + 1)),
        bad("rate-limit", b -> b.rateLimit(0)),
        bad("rate-burst", b -> b.rateBurst(0)),
        bad("rate-limit-policy", b -> b.rateLimitPolicy(null)),
        bad("max-subscriptions", b -> b.maxSubscriptions(0)),
        bad("max-connections", b -> b.maxConnections(0)),
        bad("io-threads", b -> b.ioThreads(-1)),
        bad("io-threads", b -> b.ioThreads(257)),
        bad("io-transport", b -> b.ioTransport(null)),
        bad("inbound-queue-messages", b -> b.inboundQueueMessages(0)),
        bad("handler-timeout", b -> b.handlerTimeout(Duration.ofMillis(-1))),
        bad("handler-timeout", b -> b.handlerTimeout(Duration.ofDays(8))),
        bad("ws-path", b -> b.wsPath("ws")),
        bad("ws-path", b -> b.wsPath("/a b")),
        bad("ws-path", b -> b.wsPath("/healthz")),
        bad("cluster-redis", b -> b.clusterRedis("http://127.0.0.1:6379")),
        bad("cluster-redis", b -> b.clusterRedis("127.0.0.1:6379")),
        bad("cluster-redis", b -> b.clusterRedis("redis://:6379")),
        bad("cluster-redis", b -> b.clusterRedis("redis://host:99999")),
        bad("cluster-publish-inflight", b -> b.clusterPublishInflight(0)),
        bad("cluster-redis-ping-interval", b -> b.clusterRedisPingInterval(Duration.ofMillis(99))),
        bad("cluster-redis-ping-interval", b -> b.clusterRedisPingInterval(Duration.ofMinutes(61))),
        bad("cluster-redis-ping-interval", b -> b.clusterRedisPingInterval(null)));
  }

  private static Arguments bad(String option, Consumer<KeelConfig.Builder> change) {
    return Arguments.of(option, change);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidValues")
  void build_invalidValue_failsNamingTheOption(String option, Consumer<KeelConfig.Builder> change) {
    KeelConfig.Builder b = KeelConfig.builder();
    change.accept(b);
    assertThatThrownBy(b::build)
        .as("build() with a bad %s", option)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: ")
        .hasMessageContaining(option);
  }

  @Test
  void build_severalInvalidValues_reportsEveryOne() {
    assertThatThrownBy(() -> KeelConfig.builder().wsPort(-5).rateLimit(0).maxConnections(0).build())
        .as("build() with three bad options")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ws-port must be between 0 and 65535, was -5")
        .hasMessageContaining("rate-limit must be at least 1 message/s, was 0")
        .hasMessageContaining("max-connections must be at least 1, was 0");
  }

  @Test
  void build_boundaryValues_accepted() {
    KeelConfig c = KeelConfig.builder().wsPort(0).tcpPort(KeelConfig.ANY_FREE_PORT).maxMessageSize(64)
        .outboundQueueBytes(64 + KeelConfig.MSG_ENVELOPE).outboundQueueMessages(1).rateLimit(1).rateBurst(1).maxSubscriptions(1)
        .maxConnections(1).ioThreads(256).writeBufferHighWater(1024)
        .heartbeatInterval(Duration.ofMillis(1)).idleTimeout(Duration.ofMillis(2)).build();
    assertThat(c.tcpPort()).as("tcp-port -1 (any free port) is accepted").isEqualTo(-1);
    assertThat(c.outboundQueueBytes()).as("outbound-queue-bytes of max-message-size plus the envelope is accepted")
        .isEqualTo(64 + KeelConfig.MSG_ENVELOPE);
  }

  @ParameterizedTest(name = "--{0} {1}")
  @org.junit.jupiter.params.provider.CsvSource({
      "ws-port, eighty",
      "max-message-size, 1.5MiB",
      "max-message-size, 2GiB",
      "idle-timeout, forever",
      "slow-consumer-policy, drop-all",
      "rate-limit-policy, ignore",
      "rate-limit, ''"
  })
  void set_unparsableText_failsNamingTheOption(String key, String text) {
    Option option = Option.byKey(key);
    assertThatThrownBy(() -> KeelConfig.builder().set(option, text))
        .as("--%s %s", key, text)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(key + ": ");
  }

  @Test
  void byKey_unknownKey_failsNamingIt() {
    assertThatThrownBy(() -> Option.byKey("idle-timeuot"))
        .as("Option.byKey of a typo")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'idle-timeuot'");
  }

  @Test
  void policies_parseTheirOptionNamesIgnoringCase() {
    assertThat(SlowConsumerPolicy.parse(" Drop-Oldest ")).as("slow-consumer-policy drop-oldest")
        .isEqualTo(SlowConsumerPolicy.DROP_OLDEST);
    assertThat(SlowConsumerPolicy.parse("drop-newest")).as("slow-consumer-policy drop-newest")
        .isEqualTo(SlowConsumerPolicy.DROP_NEWEST);
    assertThat(RateLimitPolicy.parse("DISCONNECT")).as("rate-limit-policy disconnect")
        .isEqualTo(RateLimitPolicy.DISCONNECT);
    assertThat(KeelConfig.builder().set(Option.IO_TRANSPORT, " IO_URING ").build().ioTransport())
        .as("io-transport io_uring").isEqualTo(IoTransport.IO_URING);
    assertThatThrownBy(() -> KeelConfig.builder().set(Option.IO_TRANSPORT, "kqueue"))
        .as("io-transport kqueue").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'kqueue' is not an I/O transport");
  }

  @Test
  void adminToken_isNeverShownAndMustBeLongEnough() {
    KeelConfig c = KeelConfig.builder().set(Option.ADMIN_TOKEN, "0123456789abcdef").build();
    assertThat(c.adminToken()).as("token set").isEqualTo("0123456789abcdef");
    assertThat(Option.ADMIN_TOKEN.valueIn(c)).as("a secret is shown masked").isEqualTo("(set)");
    assertThatThrownBy(() -> KeelConfig.builder().adminToken("short").build())
        .as("a short token").hasMessageContaining("admin-token must be at least 16 characters");
  }

  @Test
  void nonLoopbackHost_withoutAuthentication_isRefusedUnlessInsecure() {
    assertThatThrownBy(() -> KeelConfig.builder().host("0.0.0.0").build())
        .as("0.0.0.0 with no auth").hasMessageContaining("refusing to bind 0.0.0.0 without authentication");
    assertThat(KeelConfig.builder().host("0.0.0.0").insecure(true).build().host()).as("with --insecure").isEqualTo("0.0.0.0");
    assertThat(KeelConfig.builder().host("0.0.0.0").authHmacSecret("s".repeat(32)).build().host())
        .as("with authentication").isEqualTo("0.0.0.0");
    assertThat(KeelConfig.builder().host("127.0.0.2").build().host()).as("loopback needs nothing").isEqualTo("127.0.0.2");
  }
}
