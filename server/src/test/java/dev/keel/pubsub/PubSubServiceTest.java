package dev.keel.pubsub;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.KeelConfig;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.PubSubEmbedded;
import dev.keel.testing.EmbeddedTcp.Client;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pub/sub protocol over a framed-TCP connection on EmbeddedChannel. */
class PubSubServiceTest {
  private final EmbeddedTcp server = PubSubEmbedded.tcp(KeelConfig.builder().set(CoreOptions.MAX_SUBSCRIPTIONS, 2).build());
  private final List<Client> clients = new ArrayList<>();

  private Client connect() {
    Client c = server.connect();
    clients.add(c);
    return c;
  }

  @AfterEach
  void closeAll() {
    for (Client c : clients) {
      c.close();
    }
    assertThat(server.sessions.count()).as("sessions after every connection closed").isZero();
    assertThat(server.topics.topicCount()).as("topics after every connection closed").isZero();
    assertThat(server.counters.queuedBytes()).as("queued bytes after every connection closed").isZero();
  }

  private static JsonNode only(List<JsonNode> messages, String what) {
    assertThat(messages).as(what).hasSize(1);
    return messages.get(0);
  }

  @Test
  void ping_pongWithTheSameId() {
    Client c = connect().send("{\"op\":\"ping\",\"id\":\"p-1\"}");
    JsonNode pong = only(c.messages(), "replies to ping");
    assertThat(pong.path("op").asText()).as("op of the ping reply").isEqualTo("pong");
    assertThat(pong.path("id").asText()).as("id of the ping reply").isEqualTo("p-1");
  }

  @Test
  void echo_returnsTheDataAsIs() {
    Client c = connect().send("{\"op\":\"echo\",\"data\":{\"a\":[1,2,\"x\"]},\"id\":7}");
    JsonNode echo = only(c.messages(), "replies to echo");
    assertThat(echo.toString()).as("echo reply")
        .isEqualTo("{\"op\":\"echo\",\"data\":{\"a\":[1,2,\"x\"]},\"id\":7}");
  }

  @Test
  void sub_thenPub_subscribedOkAndMsgWithSeq() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"news\",\"id\":1}");
    JsonNode subscribed = only(c.messages(), "replies to sub");
    assertThat(subscribed.toString()).as("sub reply").isEqualTo("{\"op\":\"subscribed\",\"topic\":\"news\",\"id\":1}");
    assertThat(server.topics.subscribers("news")).as("subscribers of news").isEqualTo(1);

    c.send("{\"op\":\"pub\",\"topic\":\"news\",\"data\":\"hello\",\"id\":2}");
    List<JsonNode> out = c.messages();
    assertThat(out).as("ok and msg after pub on a subscribed connection").hasSize(2);
    assertThat(out.get(0).toString()).as("pub reply").isEqualTo("{\"op\":\"ok\",\"id\":2}");
    assertThat(out.get(1).toString()).as("the published msg")
        .isEqualTo("{\"op\":\"msg\",\"topic\":\"news\",\"seq\":1,\"data\":\"hello\"}");
  }

  @Test
  void pubWithoutId_noReply() {
    Client c = connect().send("{\"op\":\"pub\",\"topic\":\"quiet\",\"data\":1}");
    assertThat(c.frames()).as("frames after a pub without id to a topic nobody reads").isEmpty();
    assertThat(server.topics.counters().published()).as("messages published").isEqualTo(1);
  }

  @Test
  void publishedFromAnotherConnection_subscriberGetsSeq123InOrder() {
    Client subscriber = connect().send("{\"op\":\"sub\",\"topic\":\"t\"}");
    subscriber.messages();
    Client publisher = connect();
    publisher.send("{\"op\":\"pub\",\"topic\":\"t\",\"data\":{\"n\":1}}",
        "{\"op\":\"pub\",\"topic\":\"t\",\"data\":{\"n\":2}}");
    publisher.send("{\"op\":\"pub\",\"topic\":\"t\",\"data\":{\"n\":3}}");
    List<JsonNode> msgs = subscriber.messages();
    assertThat(msgs).as("msgs delivered to the subscriber").hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode m = msgs.get(i);
      assertThat(m.path("op").asText()).as("op of msg %d", i).isEqualTo("msg");
      assertThat(m.path("topic").asText()).as("topic of msg %d", i).isEqualTo("t");
      assertThat(m.path("seq").asLong()).as("seq of msg %d", i).isEqualTo(i + 1);
      assertThat(m.path("data").path("n").asInt()).as("data of msg %d", i).isEqualTo(i + 1);
    }
    assertThat(publisher.frames()).as("frames to the publisher (not subscribed, no ids)").isEmpty();
    assertThat(server.topics.counters().delivered()).as("messages delivered").isEqualTo(3);
  }

  @Test
  void invalidJson_badRequest_andTheConnectionStaysOpen() {
    Client c = connect().send("{\"op\":\"ping\"");
    JsonNode error = only(c.messages(), "replies to invalid JSON");
    assertThat(error.path("op").asText()).as("op").isEqualTo("error");
    assertThat(error.path("code").asText()).as("code").isEqualTo("bad_request");
    assertThat(error.path("message").asText()).as("message").isEqualTo("invalid JSON");
    assertThat(c.channel.isActive()).as("connection open after invalid JSON").isTrue();
    c.send("{\"op\":\"ping\",\"id\":1}");
    assertThat(only(c.messages(), "replies to a ping after invalid JSON").path("op").asText())
        .as("op of the reply to the next ping").isEqualTo("pong");
  }

  @Test
  void notAnObject_badRequest() {
    Client c = connect().send("[1,2]", "{\"op\":1}", "{\"op\":\"sub\"}", "{\"op\":\"sub\",\"topic\":\"bad topic\"}",
        "{\"op\":\"echo\"}");
    List<JsonNode> errors = c.messages();
    assertThat(errors).as("replies to five malformed requests").hasSize(5);
    for (JsonNode e : errors) {
      assertThat(e.path("code").asText()).as("code of the reply to a malformed request: %s", e).isEqualTo("bad_request");
    }
    assertThat(errors.get(1).path("message").asText()).as("message for a non-text op").isEqualTo("missing field: op");
    assertThat(errors.get(2).path("message").asText()).as("message for sub without topic").isEqualTo("missing field: topic");
    assertThat(errors.get(3).path("message").asText()).as("message for an invalid topic").startsWith("invalid topic");
    assertThat(errors.get(4).path("message").asText()).as("message for echo without data").isEqualTo("missing field: data");
    assertThat(c.channel.isActive()).as("connection open after malformed requests").isTrue();
  }

  @Test
  void unknownOp_badRequestWithTheId_andTheConnectionStaysOpen() {
    Client c = connect().send("{\"op\":\"dance\",\"id\":42}");
    JsonNode error = only(c.messages(), "replies to an unknown op");
    assertThat(error.toString()).as("reply to an unknown op")
        .isEqualTo("{\"op\":\"error\",\"code\":\"bad_request\",\"message\":\"unknown op: dance\",\"id\":42}");
    assertThat(c.channel.isActive()).as("connection open after an unknown op").isTrue();
  }

  @Test
  void subscriptionsOverTheLimit_limitExceeded() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"a\"}", "{\"op\":\"sub\",\"topic\":\"b\"}",
        "{\"op\":\"sub\",\"topic\":\"a\"}", "{\"op\":\"sub\",\"topic\":\"c\",\"id\":3}");
    List<JsonNode> out = c.messages();
    assertThat(out).as("replies to four subs with max-subscriptions 2").hasSize(4);
    assertThat(out.get(2).path("op").asText()).as("re-subscribing to a topic already held").isEqualTo("subscribed");
    JsonNode error = out.get(3);
    assertThat(error.path("code").asText()).as("code of the third distinct sub").isEqualTo("limit_exceeded");
    assertThat(error.path("id").asInt()).as("id of the third distinct sub").isEqualTo(3);
    assertThat(error.path("message").asText()).as("message of limit_exceeded").contains("max-subscriptions = 2");
    assertThat(server.topics.subscriptionCount()).as("subscriptions held").isEqualTo(2);
    assertThat(c.channel.isActive()).as("connection open after limit_exceeded").isTrue();
  }

  @Test
  void unsub_lastSubscriberRemovesTheTopic() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"x\"}");
    c.messages();
    assertThat(server.topics.topicCount()).as("topics after sub").isEqualTo(1);
    c.send("{\"op\":\"unsub\",\"topic\":\"x\",\"id\":9}");
    assertThat(only(c.messages(), "replies to unsub").toString()).as("unsub reply")
        .isEqualTo("{\"op\":\"unsubscribed\",\"topic\":\"x\",\"id\":9}");
    assertThat(server.topics.topicCount()).as("topics after the last unsub").isZero();
  }
}
