package dev.keel.fanout;

import dev.keel.spi.Relay;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.KeelConfig;
import dev.keel.testing.EmbeddedTcp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry's side of cluster mode: topic changes told to the relay, deliveries with Redis's seq. */
class TopicRegistryRelayTest {
  private final EmbeddedTcp server = new EmbeddedTcp(KeelConfig.builder().build());
  private final RecordingRelay relay = new RecordingRelay();
  private final List<EmbeddedTcp.Client> clients = new ArrayList<>();

  /** Records what the registry tells it; publishes are refused (nothing here stands in for Redis). */
  private static final class RecordingRelay implements Relay {
    final List<String> changed = new ArrayList<>();
    final List<String> published = new ArrayList<>();

    @Override
    public void publish(String topic, byte[] data, IntConsumer onPublished, Consumer<String> onUnavailable) {
      published.add(topic + " " + new String(data, StandardCharsets.UTF_8));
      onUnavailable.accept("down");
    }

    @Override
    public void topicChanged(String topic) {
      changed.add(topic);
    }

    @Override
    public boolean available() {
      return false;
    }
  }

  private EmbeddedTcp.Client connect() {
    EmbeddedTcp.Client c = server.connect();
    clients.add(c);
    return c;
  }

  @AfterEach
  void closeAll() {
    clients.forEach(EmbeddedTcp.Client::close);
    assertThat(server.topics.topicCount()).as("topics after every connection closed").isZero();
    assertThat(server.counters.queuedBytes()).as("queued bytes after every connection closed").isZero();
  }

  @Test
  void relay_isToldOnlyWhenATopicAppearsOrDisappears() {
    server.topics.relay(relay);
    EmbeddedTcp.Client a = connect().send("{\"op\":\"sub\",\"topic\":\"news\"}");
    EmbeddedTcp.Client b = connect().send("{\"op\":\"sub\",\"topic\":\"news\"}");
    assertThat(relay.changed).as("first subscriber only").containsExactly("news");
    a.send("{\"op\":\"unsub\",\"topic\":\"news\"}");
    assertThat(relay.changed).as("one subscriber left").containsExactly("news");
    b.close();
    assertThat(relay.changed).as("last subscriber gone").containsExactly("news", "news");
    assertThat(server.topics.hasTopic("news")).isFalse();
  }

  @Test
  void deliver_usesTheGivenSeq_andDropsRepeatsAndOlderSeqs() {
    EmbeddedTcp.Client c = connect().send("{\"op\":\"sub\",\"topic\":\"news\"}");
    c.messages(); // subscribed
    byte[] data = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(server.topics.deliver("news", 5, data)).isTrue();
    assertThat(server.topics.deliver("news", 5, data)).as("same seq again").isFalse();
    assertThat(server.topics.deliver("news", 3, data)).as("older seq").isFalse();
    assertThat(server.topics.deliver("news", 9, data)).as("after a gap").isTrue();
    assertThat(server.topics.deliver("absent", 1, data)).as("no local subscriber").isFalse();
    List<JsonNode> got = c.messages();
    assertThat(got).extracting(m -> m.get("seq").asLong()).containsExactly(5L, 9L);
    assertThat(server.topics.lastSeq("news")).isEqualTo(9);
  }

  @Test
  void publish_withRelay_goesToTheRelayNotTheLoops_andReportsItsRefusal() {
    EmbeddedTcp.Client c = connect().send("{\"op\":\"sub\",\"topic\":\"news\"}");
    c.messages();
    server.topics.relay(relay);
    String[] refused = new String[1];
    server.topics.publish("news", "1".getBytes(StandardCharsets.UTF_8), n -> { }, r -> refused[0] = r);
    assertThat(relay.published).containsExactly("news 1");
    assertThat(refused[0]).isEqualTo("down");
    assertThat(c.messages()).as("nothing delivered locally without the relay").isEmpty();
  }
}
