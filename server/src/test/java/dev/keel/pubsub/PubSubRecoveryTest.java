package dev.keel.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.EmbeddedTcp.Client;
import dev.keel.testing.PubSubEmbedded;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pub/sub protocol's {@code since}: the replies as docs/protocol.md writes them, and bad positions refused. */
class PubSubRecoveryTest {
  private final EmbeddedTcp server = PubSubEmbedded.tcp(KeelConfig.builder().set(CoreOptions.HISTORY_SIZE, 10)
      .set(CoreOptions.MAX_SUBSCRIPTIONS, 1).build());
  private final List<Client> clients = new ArrayList<>();

  private Client connect() {
    Client c = server.connect();
    clients.add(c);
    return c;
  }

  @AfterEach
  void closeAll() {
    clients.forEach(Client::close);
    server.topics.clearHistory();
    assertThat(server.counters.queuedBytes()).as("queued bytes after every connection closed").isZero();
  }

  @Test
  void sub_withSince_answersEpochSeqAndRecovered_thenTheReplay() {
    Client a = connect().send("{\"op\":\"sub\",\"topic\":\"news\",\"since\":{},\"id\":1}");
    JsonNode first = a.messages().get(0);
    String epoch = first.get("epoch").asText();
    assertThat(first.toString()).as("position only")
        .isEqualTo("{\"op\":\"subscribed\",\"topic\":\"news\",\"epoch\":\"" + epoch + "\",\"seq\":0,\"id\":1}");
    server.topics.publish("news", "{\"t\":1}".getBytes(StandardCharsets.UTF_8), null);
    a.messages();
    List<JsonNode> got = connect().send("{\"op\":\"sub\",\"topic\":\"news\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":0}}")
        .messages();
    assertThat(got.get(0).toString()).as("recovered")
        .isEqualTo("{\"op\":\"subscribed\",\"topic\":\"news\",\"epoch\":\"" + epoch + "\",\"seq\":1,\"recovered\":true}");
    assertThat(got.get(1).toString()).as("the replay").isEqualTo("{\"op\":\"msg\",\"topic\":\"news\",\"seq\":1,\"data\":{\"t\":1}}");
    List<JsonNode> old = connect().send("{\"op\":\"sub\",\"topic\":\"news\",\"since\":{\"epoch\":\"gone\",\"seq\":0}}").messages();
    assertThat(old.get(0).get("reason").asText()).as("another stream").isEqualTo("epoch_changed");
    assertThat(old.get(0).get("recovered").asBoolean()).as("not recovered").isFalse();
  }

  @Test
  void sub_withABadSince_isABadRequest_andSubscribesNothing() {
    Client c = connect();
    String[] bad = {"\"since\":3", "\"since\":{\"epoch\":5,\"seq\":1}", "\"since\":{\"epoch\":\"e\"}",
        "\"since\":{\"epoch\":\"e\",\"seq\":-1}", "\"since\":{\"epoch\":\"e\",\"seq\":1.5}",
        "\"since\":{\"epoch\":\"" + "e".repeat(65) + "\",\"seq\":1}"};
    for (String since : bad) {
      JsonNode r = c.send("{\"op\":\"sub\",\"topic\":\"news\"," + since + ",\"id\":9}").messages().get(0);
      assertThat(r.get("code").asText()).as(since).isEqualTo("bad_request");
      assertThat(r.get("message").asText()).as(since).startsWith("invalid since: ");
      assertThat(r.get("id").asInt()).as("the id comes back").isEqualTo(9);
    }
    assertThat(server.topics.subscribers("news")).as("nothing subscribed").isZero();
  }

  @Test
  void sub_withSince_overMaxSubscriptions_isLimitExceeded() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"a\",\"since\":{}}");
    c.messages();
    JsonNode r = c.send("{\"op\":\"sub\",\"topic\":\"b\",\"since\":{},\"id\":2}").messages().get(0);
    assertThat(r.get("code").asText()).as("over the limit").isEqualTo("limit_exceeded");
  }
}
