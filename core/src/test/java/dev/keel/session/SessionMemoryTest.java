package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.SlowConsumerPolicy;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.Stage;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.EmbeddedTcp.Client;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session against the memory budget, on {@code EmbeddedChannel} with the clock moved by hand: the
 * conflate policy, the frame timeout, what is charged and that all of it is given back, the pause of
 * senders while memory is short, and the close of a shed connection.
 */
class SessionMemoryTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private EmbeddedTcp server;
  private final List<Client> clients = new ArrayList<>();

  private Client connect(KeelConfig.Builder config) {
    if (server == null) {
      server = new EmbeddedTcp(config.build());
    }
    Client c = server.connect();
    clients.add(c);
    return c;
  }

  @AfterEach
  void closeAll() {
    for (Client c : clients) {
      c.peerClose();
      c.close();
    }
    if (server != null) {
      for (MemoryBudget.Kind k : MemoryBudget.Kind.values()) {
        assertThat(server.budget.held(k)).as("%s bytes charged after every connection closed", k).isZero();
      }
    }
  }

  private static void setWritable(Client c, boolean writable) {
    c.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    c.channel.runPendingTasks();
  }

  private void publish(String topic, int from, int to) {
    for (int i = from; i <= to; i++) {
      server.topics.publish(topic, ("\"" + topic + i + "\"").getBytes(StandardCharsets.US_ASCII), null);
    }
  }

  private static List<String> topicAndSeq(List<JsonNode> messages) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : messages) {
      out.add(m.path("topic").asText() + "#" + m.path("seq").asLong());
    }
    return out;
  }

  // ---------------------------------------------------------------- conflate

  @Test
  void conflate_behind_keepsOnlyTheNewestMessageOfEachTopic() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.CONFLATE))
        .send("{\"op\":\"sub\",\"topic\":\"a\"}", "{\"op\":\"sub\",\"topic\":\"b\"}");
    c.messages();
    setWritable(c, false);
    publish("a", 1, 5);
    publish("b", 1, 3);
    publish("a", 6, 7);
    c.channel.runPendingTasks();
    assertThat(server.counters.messagesDropped()).as("messages replaced by a newer one of their topic").isEqualTo(8);
    setWritable(c, true);
    List<JsonNode> got = c.messages();
    assertThat(topicAndSeq(got)).as("what a subscriber behind gets: the newest of each topic, in queue order")
        .containsExactly("b#3", "a#7");
    assertThat(got.get(1).path("data").asText()).as("data of the one message of a").isEqualTo("a7");
    assertThat(c.channel.isOpen()).as("channel open after conflating").isTrue();
  }

  @Test
  void conflate_keepingUp_deliversEveryMessage() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.CONFLATE))
        .send("{\"op\":\"sub\",\"topic\":\"a\"}");
    c.messages();
    publish("a", 1, 4);
    c.channel.runPendingTasks();
    assertThat(topicAndSeq(c.messages())).as("a subscriber that keeps up misses nothing")
        .containsExactly("a#1", "a#2", "a#3", "a#4");
    assertThat(server.counters.messagesDropped()).as("dropped while keeping up").isZero();
  }

  @Test
  void conflate_repliesAreNeverConflated() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.CONFLATE))
        .send("{\"op\":\"sub\",\"topic\":\"a\"}");
    c.messages();
    setWritable(c, false);
    publish("a", 1, 3);
    c.send("{\"op\":\"echo\",\"data\":1}", "{\"op\":\"echo\",\"data\":2}");
    setWritable(c, true);
    List<String> ops = new ArrayList<>();
    for (JsonNode m : c.messages()) {
      ops.add(m.path("op").asText() + (m.has("seq") ? "#" + m.path("seq").asLong() : ""));
    }
    assertThat(ops).as("replies first and both of them, then the newest data").containsExactly("echo", "echo", "msg#3");
  }

  // ---------------------------------------------------------------- frame timeout

  private static io.netty.buffer.ByteBuf partial(int announced, String part) {
    byte[] bytes = part.getBytes(StandardCharsets.US_ASCII);
    return Unpooled.buffer(4 + bytes.length).writeInt(announced).writeBytes(bytes);
  }

  @Test
  void frameNotFinishedWithinTheFrameTimeout_closedTooSlow() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.FRAME_TIMEOUT, Duration.ofSeconds(10)))
        .send("{\"op\":\"ping\"}");
    c.messages();
    c.sendRaw(partial(20, "{\"op\""));
    assertThat(server.budget.held(MemoryBudget.Kind.PARTIAL_FRAMES))
        .as("bytes charged for the half frame: its buffer, grown once to the whole frame and its header")
        .isEqualTo(24);
    // One byte now and then keeps the idle timeout away, but not the frame timeout.
    for (int i = 0; i < 9; i++) {
      c.advance(SECOND);
      c.sendRaw(Unpooled.buffer().writeByte(' '));
    }
    assertThat(c.channel.isOpen()).as("channel open 9s into a 10s frame timeout").isTrue();
    c.advance(Duration.ofSeconds(2));
    List<String> frames = c.frames();
    assertThat(frames).as("frames after the frame timeout").isNotEmpty();
    JsonNode last = EmbeddedTcp.json(frames.get(frames.size() - 1));
    assertThat(last.path("code").asText()).as("error code of the goodbye").isEqualTo("too_slow");
    assertThat(server.counters.closedCount(CloseCause.TOO_SLOW)).as("closed as too slow").isEqualTo(1);
    assertThat(server.budget.held(MemoryBudget.Kind.PARTIAL_FRAMES)).as("partial-frame bytes after the close")
        .isZero();
  }

  @Test
  void framesThatKeepFinishing_neverTripTheFrameTimeout() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.FRAME_TIMEOUT, Duration.ofSeconds(2)));
    byte[] ping = "{\"op\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
    // Every read ends inside a frame, but each read also finishes the one before: a steady stream.
    c.sendRaw(Unpooled.buffer().writeInt(ping.length).writeBytes(ping, 0, 5));
    for (int i = 0; i < 10; i++) {
      c.advance(SECOND);
      c.sendRaw(Unpooled.buffer().writeBytes(ping, 5, ping.length - 5).writeInt(ping.length).writeBytes(ping, 0, 5));
    }
    assertThat(c.channel.isOpen()).as("channel open after 10s of frames that each took 1s").isTrue();
    assertThat(c.messages()).as("pongs").hasSize(10);
  }

  // ---------------------------------------------------------------- overload

  @Test
  void whileOverloaded_aSenderIsPausedAfterItsMessage_andResumesAfter() {
    Client c = connect(KeelConfig.builder());
    c.send("{\"op\":\"ping\"}");
    assertThat(c.channel.config().isAutoRead()).as("reading before the overload").isTrue();
    server.budget.stage(Stage.HIGH);
    c.send("{\"op\":\"ping\"}");
    assertThat(c.messages()).as("the message that arrived is still handled").hasSize(2);
    assertThat(c.channel.config().isAutoRead()).as("reading after sending during the overload").isFalse();
    assertThat(server.budget.counted(MemoryBudget.Action.PAUSED)).as("pauses counted").isEqualTo(1);
    server.budget.stage(Stage.NORMAL);
    onlySession().overloadEnded();
    assertThat(c.channel.config().isAutoRead()).as("reading after the overload ended").isTrue();
  }

  @Test
  void shed_closesWithOverloaded_andReleasesTheQueue() {
    Client c = connect(KeelConfig.builder()).send("{\"op\":\"sub\",\"topic\":\"t\"}");
    c.messages();
    setWritable(c, false);
    publish("t", 1, 3);
    c.channel.runPendingTasks();
    Session s = onlySession();
    long held = s.accountedBytes();
    assertThat(held).as("what the session holds with 3 queued messages")
        .isGreaterThan(MemoryBudget.CONNECTION_COST + 3L * MemoryBudget.ENTRY_OVERHEAD);
    assertThat(server.budget.held(MemoryBudget.Kind.OUTBOUND)).as("outbound bytes charged").isPositive();
    s.close(CloseCause.OVERLOADED);
    assertThat(server.budget.held(MemoryBudget.Kind.OUTBOUND)).as("outbound bytes charged once shed").isZero();
    c.channel.runPendingTasks(); // the goodbye is written whatever the writability: it is control
    List<String> frames = c.frames();
    JsonNode last = EmbeddedTcp.json(frames.get(frames.size() - 1));
    assertThat(last.path("op").asText() + " " + last.path("code").asText()).as("the goodbye of a shed connection")
        .isEqualTo("error overloaded");
    assertThat(frames).as("frames: the queued data was dropped, only the goodbye left").hasSize(1);
  }

  @Test
  void rateLimitedBacklog_isCharged_andReleasedWhenHandled() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 1).set(CoreOptions.RATE_BURST, 1));
    c.send("{\"op\":\"ping\"}", "{\"op\":\"ping\"}", "{\"op\":\"ping\"}");
    assertThat(server.budget.held(MemoryBudget.Kind.INBOUND)).as("inbound bytes charged for 2 waiting messages")
        .isEqualTo(2L * (13 + MemoryBudget.ENTRY_OVERHEAD));
    c.advance(Duration.ofSeconds(3));
    assertThat(c.messages()).as("pongs once the tokens came").hasSize(3);
    assertThat(server.budget.held(MemoryBudget.Kind.INBOUND)).as("inbound bytes charged once handled").isZero();
  }

  private Session onlySession() {
    assertThat(server.sessions.all()).as("live sessions").hasSize(1);
    return server.sessions.all().iterator().next();
  }
}
