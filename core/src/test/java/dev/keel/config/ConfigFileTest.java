package dev.keel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("keel.yml"), yaml);
  }

  @Test
  void applyTo_yamlKeys_setTheOptionsInTheirUnits() throws IOException {
    Path file = write("""
        # a comment
        host: 0.0.0.0
        ws-port: 0
        tcp-port: off
        insecure: true
        max-message-size: 128KiB
        idle-timeout: 90s
        handshake-timeout: 500ms
        slow-consumer-policy: drop-oldest
        rate-limit-policy: disconnect
        outbound-queue-messages: 10
        """);
    KeelConfig.Builder b = KeelConfig.builder();
    ConfigFile.applyTo(b, file);
    KeelConfig c = b.build();
    assertThat(c.get(CoreOptions.HOST)).as("host from the file").isEqualTo("0.0.0.0");
    assertThat(c.get(CoreOptions.WS_PORT)).as("ws-port from the file").isZero();
    assertThat(c.get(CoreOptions.TCP_PORT)).as("tcp-port from the file").isEqualTo(Ports.OFF);
    assertThat(c.get(CoreOptions.MAX_MESSAGE_SIZE)).as("max-message-size from the file").isEqualTo(128 * 1024);
    assertThat(c.get(CoreOptions.IDLE_TIMEOUT)).as("idle-timeout from the file").isEqualTo(Duration.ofSeconds(90));
    assertThat(c.get(CoreOptions.HANDSHAKE_TIMEOUT)).as("handshake-timeout from the file").isEqualTo(Duration.ofMillis(500));
    assertThat(c.get(CoreOptions.SLOW_CONSUMER_POLICY)).as("slow-consumer-policy from the file")
        .isEqualTo(SlowConsumerPolicy.DROP_OLDEST);
    assertThat(c.get(CoreOptions.RATE_LIMIT_POLICY)).as("rate-limit-policy from the file")
        .isEqualTo(RateLimitPolicy.DISCONNECT);
    assertThat(c.get(CoreOptions.OUTBOUND_QUEUE_MESSAGES)).as("outbound-queue-messages from the file").isEqualTo(10);
    assertThat(c.get(CoreOptions.HEARTBEAT_INTERVAL)).as("an option absent from the file keeps its default")
        .isEqualTo(CoreOptions.HEARTBEAT_INTERVAL.defaultValue());
  }

  @Test
  void applyTo_unknownKey_failsNamingItAndTheFile() throws IOException {
    Path file = write("ws-port: 0\nidle-timeuot: 60s\n");
    assertThatThrownBy(() -> ConfigFile.applyTo(KeelConfig.builder(), file))
        .as("a config file with a misspelt key")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option 'idle-timeuot'")
        .hasMessageContaining(file.toString());
  }

  @Test
  void applyTo_badValue_failsNamingTheOption() throws IOException {
    Path file = write("idle-timeout: forever\n");
    assertThatThrownBy(() -> ConfigFile.applyTo(KeelConfig.builder(), file))
        .as("a config file with a value that does not parse")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idle-timeout")
        .hasMessageContaining("'forever' is not a duration");
  }

  @Test
  void applyTo_nestedValue_failsNamingTheOption() throws IOException {
    Path file = write("rate-limit:\n  per-second: 10\n");
    assertThatThrownBy(() -> ConfigFile.applyTo(KeelConfig.builder(), file))
        .as("a config file with a map where a value belongs")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate-limit must be a single value");
  }

  @Test
  void applyTo_notAMap_fails() throws IOException {
    Path file = write("- ws-port\n- 0\n");
    assertThatThrownBy(() -> ConfigFile.applyTo(KeelConfig.builder(), file))
        .as("a config file that is a list")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a map of option: value");
  }

  @Test
  void applyTo_emptyFile_keepsTheDefaults() throws IOException {
    Path file = write("");
    KeelConfig.Builder b = KeelConfig.builder();
    ConfigFile.applyTo(b, file);
    assertThat(b.build()).as("config from an empty file").isEqualTo(KeelConfig.builder().build());
  }

  @Test
  void applyTo_missingFile_failsNamingIt() {
    Path missing = dir.resolve("nope.yml");
    assertThatThrownBy(() -> ConfigFile.applyTo(KeelConfig.builder(), missing))
        .as("a config file that does not exist")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read config file " + missing);
  }
}
