package dev.keel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class KeelConfigTest {
  @Test
  void coreOptions_keepTheDeclarationContract() {
    OptionContract.check(CoreOptions.SET);
  }

  @Test
  void defaults_areTheDeclaredOnes() {
    KeelConfig c = KeelConfig.defaults();
    for (Option<?> o : CoreOptions.SET.options()) {
      assertThat((Object) c.get(o)).as("--%s", o.key()).isEqualTo(o.defaultValue());
      assertThat(c.isSet(o)).as("--%s is not set by default", o.key()).isFalse();
    }
    assertThat(c.get(CoreOptions.IDLE_TIMEOUT)).as("idle-timeout").isEqualTo(Duration.ofSeconds(60));
    assertThat(c.get(CoreOptions.TCP_PORT)).as("tcp-port").isEqualTo(9090);
  }

  @Test
  void defaults_areShownInTheirUnits() {
    KeelConfig c = KeelConfig.defaults();
    assertThat(CoreOptions.MAX_MESSAGE_SIZE.show(c.get(CoreOptions.MAX_MESSAGE_SIZE))).isEqualTo("64KiB");
    assertThat(CoreOptions.OUTBOUND_QUEUE_BYTES.show(c.get(CoreOptions.OUTBOUND_QUEUE_BYTES))).isEqualTo("1MiB");
    assertThat(CoreOptions.HANDSHAKE_TIMEOUT.show(c.get(CoreOptions.HANDSHAKE_TIMEOUT))).isEqualTo("10s");
    assertThat(CoreOptions.SLOW_CONSUMER_POLICY.show(c.get(CoreOptions.SLOW_CONSUMER_POLICY))).isEqualTo("disconnect");
    assertThat(CoreOptions.SOCKET_SEND_BUFFER.show(0)).isEqualTo("0B");
    assertThat(CoreOptions.AUTH_HMAC_SECRET.show("a-secret-that-is-long-enough-1234")).as("a secret is never shown")
        .isEqualTo("(set)");
    assertThat(CoreOptions.AUTH_HMAC_SECRET.show(null)).isEqualTo("none");
  }

  @Test
  void ports_zeroIsAnyFreePortEverywhere_offDisables() {
    KeelConfig c = KeelConfig.builder().parse("ws-port", "0").parse("tcp-port", "off").build();
    assertThat(c.get(CoreOptions.WS_PORT)).as("ws-port 0").isEqualTo(Ports.ANY);
    assertThat(c.get(CoreOptions.TCP_PORT)).as("tcp-port off").isEqualTo(Ports.OFF);
    assertThat(CoreOptions.TCP_PORT.show(Ports.OFF)).isEqualTo("off");
    assertThatThrownBy(() -> KeelConfig.builder().parse("ws-port", "-1"))
        .as("-1 is not a port any more (off is written off)")
        .hasMessageContaining("ws-port");
    assertThatThrownBy(() -> KeelConfig.builder().set(CoreOptions.WS_PORT, 70000).build())
        .hasMessageContaining("ws-port must be 0 to 65535 (0: any free port) or off, was 70000");
    assertThatThrownBy(() -> KeelConfig.builder().set(CoreOptions.WS_PORT, Ports.OFF).set(CoreOptions.TCP_PORT, Ports.OFF).build())
        .hasMessageContaining("nothing would listen");
  }

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of(CoreOptions.MAX_MESSAGE_SIZE, 63),
        Arguments.of(CoreOptions.MAX_MESSAGE_SIZE, 16 * 1024 * 1024 + 1),
        Arguments.of(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ZERO),
        Arguments.of(CoreOptions.IDLE_TIMEOUT, Duration.ofDays(8)),
        Arguments.of(CoreOptions.HANDLER_TIMEOUT, Duration.ofSeconds(-1)),
        Arguments.of(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 0),
        Arguments.of(CoreOptions.SOCKET_SEND_BUFFER, 512),
        Arguments.of(CoreOptions.WRITE_BUFFER_HIGH_WATER, 1023),
        Arguments.of(CoreOptions.RATE_LIMIT, 0),
        Arguments.of(CoreOptions.RATE_BURST, 0),
        Arguments.of(CoreOptions.MAX_CONNECTIONS, 0),
        Arguments.of(CoreOptions.MAX_CONNECTIONS_PER_IP, 0),
        Arguments.of(CoreOptions.CONNECT_RATE_PER_IP, 1_000_001),
        Arguments.of(CoreOptions.CONNECT_BURST_PER_IP, 0),
        Arguments.of(CoreOptions.MAX_SUBSCRIPTIONS, 0),
        Arguments.of(CoreOptions.INBOUND_QUEUE_MESSAGES, 65537),
        Arguments.of(CoreOptions.IO_THREADS, 257),
        Arguments.of(CoreOptions.AUTH_HMAC_SECRET, "too-short"),
        Arguments.of(CoreOptions.AUTH_PUBLIC_KEY, "/nonexistent/key.pem"),
        Arguments.of(CoreOptions.TLS_CERT, "/nonexistent/cert.pem"),
        Arguments.of(CoreOptions.WS_PATH, "ws"),
        Arguments.of(CoreOptions.WS_PATH, "/healthz"),
        Arguments.of(CoreOptions.HOST, " "));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("outOfRange")
  <T> void build_invalidValue_failsNamingTheOption(Option<T> option, T bad) {
    OptionContract.refuses(CoreOptions.SET, option, bad);
  }

  @Test
  void build_severalInvalidValues_reportsEveryOne() {
    assertThatThrownBy(() -> KeelConfig.builder().set(CoreOptions.WS_PORT, -5).set(CoreOptions.RATE_LIMIT, 0)
        .set(CoreOptions.MAX_CONNECTIONS, 0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ws-port must be 0 to 65535 (0: any free port) or off, was -5")
        .hasMessageContaining("rate-limit must be between 1 and 10000000, was 0")
        .hasMessageContaining("max-connections must be between 1 and 10000000, was 0");
  }

  @Test
  void rules_relateOptions() {
    assertThatThrownBy(() -> KeelConfig.builder().set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(60)).build())
        .hasMessageContaining("heartbeat-interval (1m) must be shorter than idle-timeout (1m)");
    assertThatThrownBy(() -> KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 * 1024).build())
        .hasMessageContaining("outbound-queue-bytes (64KiB) must hold at least one message of max-message-size");
    assertThat(KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 * 1024 + CoreOptions.MSG_ENVELOPE).build())
        .as("a queue of exactly one message plus the envelope").isNotNull();
    assertThatThrownBy(() -> KeelConfig.builder().set(CoreOptions.HOST, "0.0.0.0").build())
        .hasMessageContaining("refusing to bind 0.0.0.0 without authentication");
    assertThat(KeelConfig.builder().set(CoreOptions.HOST, "0.0.0.0").set(CoreOptions.INSECURE, true).build())
        .as("--insecure allows it").isNotNull();
    assertThat(KeelConfig.builder().set(CoreOptions.HOST, "0.0.0.0")
        .set(CoreOptions.AUTH_HMAC_SECRET, "0123456789abcdef0123456789abcdef").build())
        .as("authentication allows it").isNotNull();
  }

  static Stream<Arguments> unparsable() {
    return Stream.of(
        Arguments.of("idle-timeout", "soon"),
        Arguments.of("idle-timeout", "10"),
        Arguments.of("max-message-size", "64"),
        Arguments.of("max-message-size", "lots"),
        Arguments.of("max-message-size", "3GiB"),
        Arguments.of("rate-limit", "fast"),
        Arguments.of("insecure", "maybe"),
        Arguments.of("slow-consumer-policy", "ignore"),
        Arguments.of("tcp-port", "nine"));
  }

  @ParameterizedTest(name = "--{0} {1}")
  @MethodSource("unparsable")
  void parse_unparsableText_failsNamingTheOption(String key, String text) {
    assertThatThrownBy(() -> KeelConfig.builder().parse(key, text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(key + ": ");
  }

  @Test
  void parse_bareNumber_isRefusedWithTheUnitItProbablyMeant() {
    assertThatThrownBy(() -> KeelConfig.builder().parse("handshake-timeout", "10"))
        .hasMessage("handshake-timeout: '10' has no unit: write 10s (or 10ms, 10m)");
    assertThatThrownBy(() -> KeelConfig.builder().parse("max-message-size", "64"))
        .hasMessageContaining("'64' has no unit: write 64B, 64KiB or 64MiB");
    assertThat(KeelConfig.builder().parse("handler-timeout", "0").build().get(CoreOptions.HANDLER_TIMEOUT))
        .as("a bare 0 needs no unit").isEqualTo(Duration.ZERO);
  }

  @Test
  void parse_unknownKey_suggestsTheNearestOption() {
    assertThatThrownBy(() -> KeelConfig.builder().parse("idle-timeuot", "10s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option 'idle-timeuot' (did you mean 'idle-timeout'?)");
    assertThatThrownBy(() -> KeelConfig.builder().parse("zzz", "1"))
        .hasMessage("unknown option 'zzz'");
  }

  @Test
  void choices_parseTheirOptionNamesIgnoringCase() {
    assertThat(CoreOptions.SLOW_CONSUMER_POLICY.parse(" Drop-Oldest ")).isEqualTo(SlowConsumerPolicy.DROP_OLDEST);
    assertThat(CoreOptions.RATE_LIMIT_POLICY.parse("DISCONNECT")).isEqualTo(RateLimitPolicy.DISCONNECT);
    assertThat(CoreOptions.IO_TRANSPORT.parse("io_uring")).isEqualTo(IoTransport.IO_URING);
  }

  @Test
  void lists_parseCommaSeparated() {
    assertThat(CoreOptions.ALLOWED_ORIGINS.parse("https://a.example, https://b.example,"))
        .isEqualTo(List.of("https://a.example", "https://b.example"));
    assertThat(CoreOptions.ALLOWED_ORIGINS.parse("")).isEmpty();
  }

  @Test
  void optionOfASetNotIncluded_readsItsDefault_andSettingItIncludesItsSet() {
    Option<Integer> extra = Option.count("extra-thing", 7).range(1, 10).describe("A test option.");
    OptionSet set = OptionSet.of("Test", List.of(OptionSet.group("Test", extra)),
        List.of(c -> c.get(extra) == 9 ? "extra-thing must not be 9" : null));
    assertThat(KeelConfig.defaults().get(extra)).as("an option the config was not built with").isEqualTo(7);
    assertThatThrownBy(() -> KeelConfig.builder().set(extra, 11).build()).hasMessageContaining("extra-thing");
    assertThatThrownBy(() -> KeelConfig.builder().set(extra, 9).build())
        .as("setting an option includes its set, rules and all").hasMessageContaining("must not be 9");
    assertThat(KeelConfig.builder(set).parse("extra-thing", "3").build().get(extra)).isEqualTo(3);
    assertThat(KeelConfig.builder(set).build().sets()).containsExactly(CoreOptions.SET, set);
  }
}
