package dev.keel.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.limit.MemoryBudget;
import dev.keel.spi.Relay;
import dev.keel.testing.EmbeddedTcp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The switch of a recovering subscription in cluster mode, with a relay that answers by hand (the
 * real one, against Redis, is ClusterRecoveryIT): live messages that race the read are buffered and
 * de-duplicated by seq, a buffer past its bound answers too_far_behind, and whatever path the
 * subscription takes, the budget gets every byte back.
 */
class RelayRecoveryTest {
  private final EmbeddedTcp server = new EmbeddedTcp(KeelConfig.builder().set(CoreOptions.HISTORY_SIZE, 3).build());
  private final HandRelay relay = new HandRelay();
  private final List<EmbeddedTcp.Client> clients = new ArrayList<>();

  /** Keeps each read's callbacks for the test to answer; publishes are refused. */
  private static final class HandRelay implements Relay {
    final List<Consumer<Stream>> reads = new ArrayList<>();
    final List<Consumer<String>> failures = new ArrayList<>();
    final List<Long> after = new ArrayList<>();

    @Override
    public void publish(String topic, byte[] data, IntConsumer onPublished, Consumer<String> onUnavailable) {
      onUnavailable.accept("by hand");
    }

    @Override
    public void topicChanged(String topic) {}

    @Override
    public boolean available() {
      return true;
    }

    @Override
    public void recover(String topic, long afterSeq, int max, Consumer<Stream> onRead, Consumer<String> onUnavailable) {
      after.add(afterSeq);
      reads.add(onRead);
      failures.add(onUnavailable);
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
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("history charged once every path ended").isZero();
    assertThat(server.topics.topicCount()).as("topics after every connection closed").isZero();
    assertThat(server.counters.queuedBytes()).as("queued bytes after every connection closed").isZero();
  }

  private static byte[] data(long n) {
    return ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static Relay.Stream stream(String epoch, long last, long... kept) {
    List<Relay.Message> m = new ArrayList<>();
    for (long seq : kept) {
      m.add(new Relay.Message(seq, data(seq)));
    }
    return new Relay.Stream(epoch, last, false, m);
  }

  private static List<Long> seqs(List<JsonNode> msgs) {
    return msgs.stream().filter(m -> m.get("op").asText().equals("msg")).map(m -> m.get("seq").asLong()).toList();
  }

  private EmbeddedTcp.Client recovering(String epoch, long seq) {
    server.topics.relay(relay);
    EmbeddedTcp.Client c = connect();
    c.send("{\"op\":\"sub\",\"topic\":\"news\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":" + seq + "}}");
    assertThat(c.messages()).as("no reply before the relay answers").isEmpty();
    assertThat(relay.after).as("the read asked for the messages after since").containsExactly(seq);
    return c;
  }

  @Test
  void switch_liveMessagesRacingTheRead_areReplayedOnceAfterTheStreamsOwn() {
    EmbeddedTcp.Client c = recovering("E", 1);
    server.topics.deliver("news", "E", 2, data(2)); // published before the read ran: also in the stream
    server.topics.deliver("news", "E", 3, data(3));
    relay.reads.get(0).accept(stream("E", 3, 2, 3)); // the read, on the delivering thread
    server.topics.deliver("news", "E", 4, data(4)); // after the read: only buffered
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("the read and the buffer are charged").isPositive();
    List<JsonNode> got = c.settle().messages();
    assertThat(got.get(0).get("recovered").asBoolean()).as("reply: " + got.get(0)).isTrue();
    assertThat(got.get(0).get("seq").asLong()).as("the stream's last seq when read").isEqualTo(3);
    assertThat(got.get(0).get("epoch").asText()).as("the relay's epoch").isEqualTo("E");
    assertThat(seqs(got)).as("the stream's messages, then the buffered one past it, each once").containsExactly(2L, 3L, 4L);
    server.topics.deliver("news", "E", 5, data(5));
    assertThat(seqs(c.settle().messages())).as("then live").containsExactly(5L);
    assertThat(server.topics.historyCounters().succeeded()).as("counted").isEqualTo(1);
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("released at the switch").isZero();
  }

  @Test
  void switch_bufferPastHistorySize_answersTooFarBehind_andLiveFollowsThisNodesLast() {
    EmbeddedTcp.Client c = recovering("E", 0);
    for (long seq = 1; seq <= 4; seq++) {
      server.topics.deliver("news", "E", seq, data(seq)); // four racing messages, history-size 3
    }
    relay.reads.get(0).accept(stream("E", 0));
    List<JsonNode> got = c.settle().messages();
    assertThat(got).as("the reply only").hasSize(1);
    assertThat(got.get(0).get("recovered").asBoolean()).as("reply: " + got.get(0)).isFalse();
    assertThat(got.get(0).get("reason").asText()).as("reason").isEqualTo("too_far_behind");
    assertThat(got.get(0).get("seq").asLong()).as("this node's last seq: live follows it").isEqualTo(4);
    server.topics.deliver("news", "E", 5, data(5));
    assertThat(seqs(c.settle().messages())).as("live").containsExactly(5L);
    assertThat(server.topics.historyCounters().failed(RecoveryFailure.TOO_FAR_BEHIND)).as("counted").isEqualTo(1);
  }

  @Test
  void switch_epochOrRedisGone_answersEpochChangedOrUnavailable() {
    EmbeddedTcp.Client c = recovering("OLD", 2);
    relay.reads.get(0).accept(stream("NEW", 1, 1));
    JsonNode r = c.settle().messages().get(0);
    assertThat(r.get("reason").asText()).as("reply: " + r).isEqualTo("epoch_changed");
    assertThat(r.get("epoch").asText()).as("the new epoch").isEqualTo("NEW");
    EmbeddedTcp.Client d = connect();
    d.send("{\"op\":\"sub\",\"topic\":\"news\",\"since\":{\"epoch\":\"NEW\",\"seq\":1}}");
    relay.failures.get(1).accept("redis unavailable");
    JsonNode u = d.settle().messages().get(0);
    assertThat(u.get("recovered").asBoolean()).as("reply: " + u).isFalse();
    assertThat(u.get("reason").asText()).as("reason").isEqualTo("unavailable");
    assertThat(u.get("epoch").asText()).as("this node's last known epoch").isEqualTo("NEW");
  }

  @Test
  void pending_closedBeforeTheReadReturns_subscribesNothing_andReleasesItsBuffer() {
    EmbeddedTcp.Client c = recovering("E", 0);
    server.topics.deliver("news", "E", 1, data(1));
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("buffered").isPositive();
    c.close();
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("released by the close").isZero();
    assertThat(server.topics.topicCount()).as("the topic ends with its last (pending) subscriber").isZero();
    relay.reads.get(0).accept(stream("E", 1, 1));
    c.channel.runPendingTasks(); // the switch, on the connection's (closed) loop, finds it cancelled
    assertThat(server.topics.subscriptionCount()).as("nothing subscribed").isZero();
  }
}
