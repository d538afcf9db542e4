package dev.keel.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.limit.MemoryBudget;
import dev.keel.testing.EmbeddedTcp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Topic history and recovery on the real connection layer (framed TCP on EmbeddedChannel, the API's
 * bridge, {@code MiniProtocol}), with history's clock moved by hand: what is kept, for how long, what
 * a {@code sub} with {@code since} gets back and in which order, and that the budget sees every byte.
 */
class TopicHistoryTest {
  private final List<EmbeddedTcp.Client> clients = new ArrayList<>();
  private EmbeddedTcp server = server(5, Duration.ofMinutes(2), 512 * 1024);

  private static EmbeddedTcp server(int size, Duration ttl, int maxBytes) {
    return new EmbeddedTcp(KeelConfig.builder().set(CoreOptions.HISTORY_SIZE, size).set(CoreOptions.HISTORY_TTL, ttl)
        .set(CoreOptions.HISTORY_MAX_BYTES, maxBytes).build());
  }

  private EmbeddedTcp.Client connect() {
    EmbeddedTcp.Client c = server.connect();
    clients.add(c);
    return c;
  }

  @AfterEach
  void closeAll() {
    clients.forEach(EmbeddedTcp.Client::close);
    server.topics.clearHistory();
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("history charged after clearing it").isZero();
    assertThat(server.topics.historyCounters().messages()).as("history messages after clearing it").isZero();
    assertThat(server.counters.queuedBytes()).as("queued bytes after every connection closed").isZero();
  }

  private void publish(int from, int to) {
    for (int i = from; i <= to; i++) {
      server.topics.publish("news", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), null);
    }
  }

  private static String since(String epoch, long seq) {
    return "{\"op\":\"sub\",\"topic\":\"news\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":" + seq + "}}";
  }

  /** Subscribes with {@code since:{}} and returns the stream's epoch. */
  private String firstSubscribe(EmbeddedTcp.Client c) {
    List<JsonNode> got = c.send("{\"op\":\"sub\",\"topic\":\"news\",\"since\":{}}").messages();
    assertThat(got).as("the reply to a position-only sub").hasSize(1);
    assertThat(got.get(0).get("recovered").asBoolean()).as("nothing to recover").isFalse();
    return got.get(0).get("epoch").asText();
  }

  private static List<Long> seqs(List<JsonNode> msgs) {
    return msgs.stream().filter(m -> m.get("op").asText().equals("msg")).map(m -> m.get("seq").asLong()).toList();
  }

  @Test
  void recovery_afterADrop_repliesFirstThenReplaysTheMissedInOrderThenLive() {
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 3);
    assertThat(seqs(a.messages())).as("live before the drop").containsExactly(1L, 2L, 3L);
    a.close();
    publish(4, 5); // nobody subscribed: kept all the same
    assertThat(server.topics.hasTopic("news")).as("the topic outlives its subscribers while it has history").isTrue();

    EmbeddedTcp.Client b = connect().send(since(epoch, 3));
    publish(6, 6);
    List<JsonNode> got = b.messages();
    assertThat(got.get(0).get("op").asText()).as("the reply comes before the replay").isEqualTo("subscribed");
    assertThat(got.get(0).get("recovered").asBoolean()).as("recovered").isTrue();
    assertThat(got.get(0).get("epoch").asText()).as("same epoch").isEqualTo(epoch);
    assertThat(got.get(0).get("seq").asLong()).as("the stream's last seq at subscribe").isEqualTo(5);
    assertThat(seqs(got)).as("missed 4 and 5, then live 6, each once").containsExactly(4L, 5L, 6L);
    assertThat(got.get(1).get("data").get("n").asInt()).as("the replayed data").isEqualTo(4);
    assertThat(server.topics.historyCounters().succeeded()).as("recoveries succeeded").isEqualTo(1);
  }

  @Test
  void recovery_atTheLastSeq_recoversWithNothingToReplay() {
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 2);
    a.messages();
    List<JsonNode> got = connect().send(since(epoch, 2)).messages();
    assertThat(got).as("only the reply").hasSize(1);
    assertThat(got.get(0).get("recovered").asBoolean()).as("recovered").isTrue();
  }

  @Test
  void recovery_afterARestart_failsWithEpochChanged() {
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 3);
    a.close();
    server.topics.clearHistory();
    server = server(5, Duration.ofMinutes(2), 512 * 1024); // a new process's registry: new epochs
    List<JsonNode> got = connect().send(since(epoch, 3)).messages();
    assertThat(got.get(0).get("recovered").asBoolean()).as("recovered").isFalse();
    assertThat(got.get(0).get("reason").asText()).as("why").isEqualTo("epoch_changed");
    assertThat(got.get(0).get("epoch").asText()).as("the new epoch").isNotEqualTo(epoch);
    assertThat(server.topics.historyCounters().failed(RecoveryFailure.EPOCH_CHANGED)).as("counted").isEqualTo(1);
  }

  @Test
  void history_trimmedBySize_recoversOnlyWithinIt() {
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 8); // size 5 keeps 4..8
    List<JsonNode> behind = connect().send(since(epoch, 2)).messages();
    assertThat(behind.get(0).get("reason").asText()).as("3 was trimmed").isEqualTo("too_far_behind");
    assertThat(seqs(behind)).as("no replay after a failed recovery").isEmpty();
    List<JsonNode> within = connect().send(since(epoch, 3)).messages();
    assertThat(within.get(0).get("recovered").asBoolean()).as("4 is the oldest kept").isTrue();
    assertThat(seqs(within)).as("the five kept").containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(server.topics.historyCounters().trimmed(TrimCause.SIZE)).as("trimmed by size").isEqualTo(3);
  }

  @Test
  void history_trimmedByBytes_keepsWhatFits() {
    server = server(100, Duration.ofMinutes(2), 1024);
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    byte[] big = ("\"" + "x".repeat(400) + "\"").getBytes(StandardCharsets.UTF_8); // 402 + 56 bytes each
    for (int i = 0; i < 4; i++) {
      server.topics.publish("news", big, null);
    }
    assertThat(server.topics.historyCounters().messages()).as("two of 458 bytes fit 1KiB").isEqualTo(2);
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("charged exactly").isEqualTo(2 * (402 + 56));
    List<JsonNode> got = connect().send(since(epoch, 1)).messages();
    assertThat(got.get(0).get("reason").asText()).as("2 was dropped for bytes").isEqualTo("too_far_behind");
    assertThat(server.topics.historyCounters().trimmed(TrimCause.BYTES)).as("trimmed by bytes").isEqualTo(2);
  }

  @Test
  void history_olderThanTheTtl_expires_andTheSweepEndsTheTopic() {
    server = server(100, Duration.ofSeconds(10), 512 * 1024);
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 2);
    server.historyTicker.advance(6, java.util.concurrent.TimeUnit.SECONDS);
    publish(3, 3);
    server.historyTicker.advance(5, java.util.concurrent.TimeUnit.SECONDS); // 1 and 2 are 11 s old, 3 is 5 s old
    List<JsonNode> late = connect().send(since(epoch, 1)).messages();
    assertThat(late.get(0).get("reason").asText()).as("2 expired").isEqualTo("expired");
    List<JsonNode> recent = connect().send(since(epoch, 2)).messages();
    assertThat(seqs(recent)).as("3 is still within the TTL").containsExactly(3L);

    clients.forEach(EmbeddedTcp.Client::close);
    server.topics.sweep();
    assertThat(server.topics.hasTopic("news")).as("history left: the topic stays").isTrue();
    server.historyTicker.advance(5, java.util.concurrent.TimeUnit.SECONDS);
    server.topics.sweep();
    assertThat(server.topics.hasTopic("news")).as("nothing left: the sweep ended it").isFalse();
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("released on expiry").isZero();
    assertThat(server.topics.historyCounters().trimmed(TrimCause.TTL)).as("expired").isEqualTo(3);
  }

  @Test
  void budgetTrim_dropsTheLargestHistoriesFirst_andChangesTheirEpoch() {
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 3);
    server.topics.publish("small", "1".getBytes(StandardCharsets.UTF_8), null);
    long small = 1 + History.ENTRY_OVERHEAD;
    long before = server.budget.held(MemoryBudget.Kind.HISTORY);
    HistoryTrim.Result cut = server.topics.trimForBudget(1);
    assertThat(cut.topics()).as("one history covers one byte").isEqualTo(1);
    assertThat(cut.freedBytes()).as("news was the largest").isEqualTo(before - small);
    assertThat(server.budget.held(MemoryBudget.Kind.HISTORY)).as("released").isEqualTo(small);
    List<JsonNode> got = connect().send(since(epoch, 1)).messages();
    assertThat(got.get(0).get("reason").asText()).as("the cut is announced by the epoch").isEqualTo("epoch_changed");
    assertThat(server.topics.historyCounters().trimmed(TrimCause.BUDGET)).as("trimmed by the budget").isEqualTo(3);
  }

  @Test
  void recovery_whenHistoryIsOff_failsWithNoHistory_andTopicsEndWithTheirLastSubscriber() {
    server = new EmbeddedTcp(KeelConfig.builder().build());
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 2);
    List<JsonNode> got = connect().send(since(epoch, 1)).messages();
    assertThat(got.get(0).get("reason").asText()).as("why").isEqualTo("no_history");
    clients.forEach(EmbeddedTcp.Client::close);
    assertThat(server.topics.hasTopic("news")).as("no history keeps it").isFalse();
  }

  @Test
  void recovery_fromAPositionPastTheStream_failsWithUnknownPosition_andAnAlreadySubscribedConnectionGetsNoReplay() {
    EmbeddedTcp.Client a = connect();
    String epoch = firstSubscribe(a);
    publish(1, 2);
    a.messages();
    List<JsonNode> ahead = connect().send(since(epoch, 9)).messages();
    assertThat(ahead.get(0).get("reason").asText()).as("seq 9 never was").isEqualTo("unknown_position");
    List<JsonNode> again = a.send(since(epoch, 0)).messages();
    assertThat(again).as("only the reply").hasSize(1);
    assertThat(again.get(0).get("reason").asText()).as("why").isEqualTo("already_subscribed");
  }
}
