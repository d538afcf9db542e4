package dev.keel.session;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.KeelConfig;
import dev.keel.config.RateLimitPolicy;
import dev.keel.config.SlowConsumerPolicy;
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
 * Session deadlines, limits and clean-up, driven through the framed-TCP pipeline on EmbeddedChannel
 * with time moved by hand. Defaults unless a test says otherwise: handshake 10s, heartbeat 20s,
 * idle 60s, write timeout 10s.
 */
class SessionTest {
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

  private Client connect() {
    return connect(KeelConfig.builder());
  }

  @AfterEach
  void closeAll() {
    List<Boolean> leftTasks = new ArrayList<>();
    for (Client c : clients) {
      c.peerClose();
      leftTasks.add(c.hasScheduledTasks());
      c.close();
    }
    assertThat(leftTasks).as("for each connection, whether a task was still scheduled once it closed")
        .doesNotContain(true);
    if (server != null) {
      assertThat(server.sessions.count()).as("sessions after every connection closed").isZero();
      assertThat(server.sessions.reserved()).as("reserved connection slots after every connection closed").isZero();
      assertThat(server.topics.topicCount()).as("topics after every connection closed").isZero();
      assertThat(server.counters.queuedBytes()).as("queued bytes after every connection closed").isZero();
    }
  }

  private static String codeOf(String frame) {
    return EmbeddedTcp.json(frame).path("code").asText();
  }

  /** Asserts the connection was told why, as its last frame, and is closed. */
  private static void assertClosedWithError(Client c, List<String> frames, String code) {
    assertThat(frames).as("frames written before the close").isNotEmpty();
    String last = frames.get(frames.size() - 1);
    assertThat(EmbeddedTcp.json(last).path("op").asText()).as("op of the last frame: %s", last).isEqualTo("error");
    assertThat(codeOf(last)).as("code of the last frame: %s", last).isEqualTo(code);
    assertThat(c.channel.isOpen()).as("channel open after error %s", code).isFalse();
  }

  private static List<String> ops(List<JsonNode> messages) {
    List<String> ops = new ArrayList<>();
    for (JsonNode m : messages) {
      ops.add(m.path("op").asText());
    }
    return ops;
  }

  // ---------------------------------------------------------------- handshake

  @Test
  void noFirstFrameWithinHandshakeTimeout_errorHandshakeTimeoutAndClosed() {
    Client c = connect();
    c.advance(Duration.ofSeconds(9));
    assertThat(c.frames()).as("frames 9s into a 10s handshake timeout").isEmpty();
    assertThat(c.channel.isOpen()).as("channel open 9s into a 10s handshake timeout").isTrue();
    c.advance(Duration.ofSeconds(2));
    assertClosedWithError(c, c.frames(), "handshake_timeout");
    assertThat(server.counters.closedCount(CloseCause.HANDSHAKE_TIMEOUT)).as("closed for handshake timeout").isEqualTo(1);
  }

  @Test
  void heartbeatAsFirstFrame_completesTheHandshake() {
    Client c = connect();
    c.advance(Duration.ofSeconds(5));
    c.heartbeat();
    c.advance(Duration.ofSeconds(10));
    assertThat(c.frames()).as("frames 15s after connecting, a heartbeat sent at 5s").isEmpty();
    assertThat(c.channel.isOpen()).as("channel open past the handshake timeout after a heartbeat").isTrue();
    assertThat(server.counters.closedCount(CloseCause.HANDSHAKE_TIMEOUT)).as("closed for handshake timeout").isZero();
  }

  @Test
  void messageAsFirstFrame_completesTheHandshake() {
    Client c = connect().send("{\"op\":\"ping\"}");
    c.advance(Duration.ofSeconds(15));
    assertThat(ops(c.messages())).as("messages 15s after a ping").containsExactly("pong");
    assertThat(c.channel.isOpen()).as("channel open past the handshake timeout after a ping").isTrue();
  }

  // ---------------------------------------------------------------- heartbeat

  @Test
  void afterHeartbeatInterval_serverWritesAnEmptyFrame() {
    Client c = connect().heartbeat();
    c.advance(Duration.ofSeconds(19));
    assertThat(c.rawOutbound()).as("bytes written in the first 19s of a 20s heartbeat interval").isEmpty();
    c.advance(Duration.ofSeconds(1), Duration.ofMillis(10));
    assertThat(c.rawOutbound()).as("bytes written by the first heartbeat: an empty frame")
        .containsExactly(0, 0, 0, 0);
    c.advance(Duration.ofSeconds(20));
    assertThat(c.frames()).as("frames after 40s: two heartbeats").containsExactly("", "");
  }

  // ---------------------------------------------------------------- idle

  @Test
  void noInboundForIdleTimeout_errorIdleTimeoutAndClosed() {
    Client c = connect().send("{\"op\":\"ping\"}");
    c.advance(Duration.ofSeconds(59));
    assertThat(c.channel.isOpen()).as("channel open 59s into a 60s idle timeout").isTrue();
    assertThat(c.frames()).as("frames in the first 59s: pong then heartbeats at 20s and 40s")
        .hasSize(3).endsWith("", "");
    c.advance(Duration.ofSeconds(2));
    assertClosedWithError(c, c.frames(), "idle_timeout");
    assertThat(server.counters.closedCount(CloseCause.IDLE_TIMEOUT)).as("closed as idle").isEqualTo(1);
  }

  @Test
  void inboundBeforeTheIdleDeadline_postponesIt() {
    Client c = connect().send("{\"op\":\"ping\"}");
    c.advance(Duration.ofSeconds(50), SECOND);
    c.heartbeat(); // a heartbeat is inbound traffic too
    c.advance(Duration.ofSeconds(59), SECOND);
    assertThat(c.channel.isOpen()).as("channel open 109s in, last inbound at 50s").isTrue();
    assertThat(server.counters.closedCount(CloseCause.IDLE_TIMEOUT)).as("closed as idle by 109s").isZero();
    c.advance(Duration.ofSeconds(2), SECOND);
    assertClosedWithError(c, c.frames(), "idle_timeout");
  }

  @Test
  void partialFrame_countsAsActivity() {
    Client c = connect().send("{\"op\":\"ping\"}");
    c.advance(Duration.ofSeconds(50), SECOND);
    c.sendRaw(Unpooled.buffer().writeInt(20).writeBytes("{\"op\"".getBytes(StandardCharsets.US_ASCII)));
    c.advance(Duration.ofSeconds(29), SECOND);
    assertThat(c.channel.isOpen()).as("channel open 79s in (idle timeout 60s), half a frame arrived at 50s").isTrue();
  }

  // ---------------------------------------------------------------- rate limit

  private static String[] echoes(int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = "{\"op\":\"echo\",\"data\":" + (i + 1) + "}";
    }
    return out;
  }

  @Test
  void overTheRate_throttle_stopsReadingThenDeliversTheRestInOrder() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 10).set(CoreOptions.RATE_BURST, 5));
    c.send(echoes(8));
    List<JsonNode> first = c.messages();
    assertThat(first).as("replies to 8 echoes with burst 5").hasSize(5);
    assertThat(c.channel.config().isAutoRead()).as("autoRead while throttled").isFalse();
    assertThat(server.counters.rateLimited()).as("messages held back by the rate limit").isEqualTo(3);

    c.advance(Duration.ofMillis(300), Duration.ofMillis(300));
    List<JsonNode> rest = c.messages();
    assertThat(rest).as("replies after 300ms at 10/s").hasSize(3);
    assertThat(c.channel.config().isAutoRead()).as("autoRead once the held messages are delivered").isTrue();
    List<Integer> data = new ArrayList<>();
    for (JsonNode m : first) {
      data.add(m.path("data").asInt());
    }
    for (JsonNode m : rest) {
      data.add(m.path("data").asInt());
    }
    assertThat(data).as("echo data in reply order").containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(c.channel.isOpen()).as("channel open under throttle").isTrue();
  }

  @Test
  void overTheRate_throttle_resumesOneTokenAtATime() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 10).set(CoreOptions.RATE_BURST, 5));
    c.send(echoes(8));
    assertThat(c.messages()).as("replies at once").hasSize(5);
    c.advance(Duration.ofMillis(100), Duration.ofMillis(50));
    assertThat(c.messages()).as("replies after 100ms at 10/s").hasSize(1);
    assertThat(c.channel.config().isAutoRead()).as("autoRead with 2 messages still held").isFalse();
    c.advance(Duration.ofMillis(200), Duration.ofMillis(50));
    assertThat(c.messages()).as("replies after 300ms at 10/s").hasSize(2);
    assertThat(c.channel.config().isAutoRead()).as("autoRead with nothing held").isTrue();
  }

  @Test
  void overTheRate_disconnect_errorRateLimitedAndClosed() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 10).set(CoreOptions.RATE_BURST, 5).set(CoreOptions.RATE_LIMIT_POLICY, RateLimitPolicy.DISCONNECT));
    c.send(echoes(5));
    assertThat(c.frames()).as("replies to the five messages within the burst").hasSize(5);
    c.send(echoes(3));
    List<String> frames = c.frames();
    // The sixth message is over the rate: the connection closes at once, before the handler could
    // answer anything read with it (a handler runs off the loop, as in the server).
    assertThat(frames).as("frames after the burst: only the error").hasSize(1);
    assertClosedWithError(c, frames, "rate_limited");
    assertThat(server.counters.rateLimited()).as("rate-limited messages").isEqualTo(1);
    assertThat(server.counters.closedCount(CloseCause.RATE_LIMIT)).as("closed for the rate limit").isEqualTo(1);
  }

  @Test
  void peerClosesWhileThrottled_resumeTaskCancelled() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 1).set(CoreOptions.RATE_BURST, 1));
    c.send(echoes(3));
    assertThat(c.messages()).as("replies at once with burst 1").hasSize(1);
    c.peerClose();
    assertThat(c.hasScheduledTasks()).as("a task still scheduled after the peer closed while throttled").isFalse();
    assertThat(server.counters.closedCount(CloseCause.CLIENT)).as("closed by the client").isEqualTo(1);
  }

  // ---------------------------------------------------------------- too large

  @Test
  void frameOverMaxMessageSize_errorTooLargeThenClosed() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.MAX_MESSAGE_SIZE, 1024));
    c.send("{\"op\":\"ping\"}");
    c.sendRaw(Unpooled.buffer().writeInt(1025).writeBytes(new byte[100]));
    List<String> frames = c.frames();
    assertThat(frames).as("frames: pong and the error").hasSize(2);
    assertClosedWithError(c, frames, "too_large");
    assertThat(server.counters.closedCount(CloseCause.TOO_LARGE)).as("closed as too large").isEqualTo(1);
  }

  // ---------------------------------------------------------------- slow consumers

  private static void setWritable(Client c, boolean writable) {
    c.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    c.channel.runPendingTasks();
  }

  private void publish(String topic, int n) {
    for (int i = 1; i <= n; i++) {
      server.topics.publish(topic, Integer.toString(i).getBytes(StandardCharsets.US_ASCII), null);
    }
  }

  @Test
  void queuedDataMakesNoProgressForWriteTimeout_closedAsWriteTimeout() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"t\"}");
    assertThat(ops(c.messages())).as("reply to sub").containsExactly("subscribed");
    setWritable(c, false);
    publish("t", 1);
    c.advance(Duration.ofSeconds(1));
    assertThat(c.frames()).as("frames while the channel is unwritable").isEmpty();
    c.advance(Duration.ofSeconds(8));
    assertThat(c.channel.isOpen()).as("channel open 9s into a 10s write timeout").isTrue();
    c.advance(Duration.ofSeconds(2));
    assertThat(c.channel.isOpen()).as("channel open 11s into a 10s write timeout").isFalse();
    assertThat(server.counters.closedCount(CloseCause.WRITE_TIMEOUT)).as("closed for write timeout").isEqualTo(1);
    List<String> frames = c.frames();
    assertThat(frames).as("frames at the write timeout: the queued msg is discarded").hasSize(1);
    assertThat(codeOf(frames.get(0))).as("error code for a write timeout").isEqualTo("slow_consumer");
  }

  @Test
  void writabilityComesBack_queuedDataIsWrittenAndNoTimeout() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"t\"}");
    c.messages();
    setWritable(c, false);
    publish("t", 2);
    c.advance(Duration.ofSeconds(5));
    setWritable(c, true);
    List<JsonNode> msgs = c.messages();
    assertThat(ops(msgs)).as("messages once writable again").containsExactly("msg", "msg");
    c.advance(Duration.ofSeconds(15));
    assertThat(c.channel.isOpen()).as("channel open 20s later").isTrue();
    assertThat(server.counters.closedCount(CloseCause.WRITE_TIMEOUT)).as("closed for write timeout").isZero();
  }

  @Test
  void queueFull_disconnectPolicy_closesAsSlowConsumer() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 2)).send("{\"op\":\"sub\",\"topic\":\"t\"}");
    c.messages();
    setWritable(c, false);
    publish("t", 2);
    assertThat(c.channel.isOpen()).as("channel open with the queue at its bound").isTrue();
    publish("t", 1);
    c.channel.runPendingTasks();
    List<String> frames = c.frames();
    assertClosedWithError(c, frames, "slow_consumer");
    assertThat(frames).as("frames: only the error (queued data is discarded)").hasSize(1);
    assertThat(server.counters.closedCount(CloseCause.SLOW_CONSUMER)).as("closed as slow consumer").isEqualTo(1);
    assertThat(server.counters.messagesDropped()).as("messages dropped under disconnect").isZero();
  }

  private List<Long> seqsAfterOverflow(SlowConsumerPolicy policy) {
    Client c = connect(KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 2).set(CoreOptions.SLOW_CONSUMER_POLICY, policy))
        .send("{\"op\":\"sub\",\"topic\":\"t\"}");
    c.messages();
    setWritable(c, false);
    publish("t", 5);
    c.channel.runPendingTasks();
    assertThat(c.channel.isOpen()).as("channel open after overflow under %s", policy).isTrue();
    assertThat(server.counters.messagesDropped()).as("messages dropped under %s", policy).isEqualTo(3);
    setWritable(c, true);
    List<Long> seqs = new ArrayList<>();
    for (JsonNode m : c.messages()) {
      seqs.add(m.path("seq").asLong());
    }
    assertThat(c.channel.isOpen()).as("channel open after the queue drained under %s", policy).isTrue();
    assertThat(server.counters.closedCount(CloseCause.SLOW_CONSUMER)).as("closed as slow consumer under %s", policy).isZero();
    return seqs;
  }

  @Test
  void queueFull_dropNewest_keepsTheFirstMessagesAndStaysOpen() {
    assertThat(seqsAfterOverflow(SlowConsumerPolicy.DROP_NEWEST)).as("seqs delivered under drop-newest")
        .containsExactly(1L, 2L);
  }

  @Test
  void queueFull_dropOldest_keepsTheLatestMessagesAndStaysOpen() {
    assertThat(seqsAfterOverflow(SlowConsumerPolicy.DROP_OLDEST)).as("seqs delivered under drop-oldest")
        .containsExactly(4L, 5L);
  }

  @Test
  void repliesNotRead_controlOverflowClosesAsSlowConsumer() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 2));
    c.heartbeat();
    setWritable(c, false);
    c.send(echoes(5)); // twice the bound (4) of control may wait; the fifth reply may not
    List<String> frames = c.frames();
    assertThat(frames).as("frames: the 4 queued replies, then the error").hasSize(5);
    assertClosedWithError(c, frames, "slow_consumer");
  }

  // ---------------------------------------------------------------- shutdown

  private Session onlySession() {
    assertThat(server.sessions.all()).as("live sessions").hasSize(1);
    return server.sessions.all().iterator().next();
  }

  @Test
  void shutdown_flushesQueuedDataThenErrorShutdown() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"t\"}");
    c.messages();
    setWritable(c, false);
    publish("t", 2);
    c.channel.runPendingTasks();
    assertThat(server.counters.queuedBytes()).as("queued bytes before the shutdown").isPositive();
    onlySession().close(CloseCause.SHUTDOWN);
    c.channel.runPendingTasks();
    assertThat(c.channel.isOpen()).as("channel open while shutdown waits for queued data").isTrue();
    setWritable(c, true);
    List<String> frames = c.frames();
    assertThat(frames).as("frames: two msgs, then the error").hasSize(3);
    assertThat(EmbeddedTcp.json(frames.get(0)).path("seq").asLong()).as("seq of the first flushed msg").isEqualTo(1);
    assertThat(EmbeddedTcp.json(frames.get(1)).path("seq").asLong()).as("seq of the second flushed msg").isEqualTo(2);
    assertClosedWithError(c, frames, "shutdown");
    assertThat(server.counters.closedCount(CloseCause.SHUTDOWN)).as("closed for shutdown").isEqualTo(1);
  }

  @Test
  void shutdown_peerNotReading_drainEndsAtTheWriteTimeout() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"t\"}");
    c.messages();
    setWritable(c, false);
    publish("t", 2);
    c.channel.runPendingTasks();
    assertThat(server.counters.queuedBytes()).as("queued bytes before the shutdown").isPositive();
    onlySession().close(CloseCause.SHUTDOWN);
    c.advance(Duration.ofSeconds(9));
    assertThat(c.channel.isOpen()).as("channel open 9s into the drain, write timeout 10s").isTrue();
    c.advance(Duration.ofSeconds(2), Duration.ofMillis(100));
    c.advance(Duration.ofSeconds(2), Duration.ofMillis(100)); // past the close timeout too
    assertThat(c.channel.isOpen())
        .as("channel open 13s into a shutdown drain of a peer that reads nothing (write timeout 10s)").isFalse();
    List<String> frames = c.frames();
    assertThat(codeOf(frames.get(frames.size() - 1))).as("code of the last frame").isEqualTo("shutdown");
  }

  // ---------------------------------------------------------------- clean-up

  @Test
  void peerCloses_everythingReleasedAndNoTaskLeft() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"a\"}", "{\"op\":\"sub\",\"topic\":\"b\"}");
    c.messages();
    setWritable(c, false);
    publish("a", 3);
    c.channel.runPendingTasks();
    assertThat(server.counters.queuedBytes()).as("queued bytes while unwritable").isPositive();
    assertThat(server.sessions.count()).as("sessions while open").isEqualTo(1);
    c.peerClose();
    assertThat(c.hasScheduledTasks()).as("a task still scheduled after the peer closed").isFalse();
    assertThat(server.sessions.count()).as("sessions after the peer closed").isZero();
    assertThat(server.topics.topicCount()).as("topics after the only subscriber closed").isZero();
    assertThat(server.counters.queuedBytes()).as("queued bytes after the peer closed").isZero();
    assertThat(server.counters.closedCount(CloseCause.CLIENT)).as("closed by the client").isEqualTo(1);
  }

  @Test
  void serverCloses_noTaskLeftAfterTheCloseFrame() {
    Client c = connect().send("{\"op\":\"sub\",\"topic\":\"a\"}");
    c.advance(Duration.ofSeconds(59), SECOND);
    // Past the idle deadline, but not past the close timeout (1s) that follows the close frame.
    c.advance(Duration.ofMillis(1500), Duration.ofMillis(100));
    assertThat(c.channel.isOpen()).as("channel open after the idle timeout").isFalse();
    assertThat(c.hasScheduledTasks())
        .as("a task (the close-timeout task?) still scheduled after a server-side close").isFalse();
    assertThat(server.sessions.count()).as("sessions after the idle close").isZero();
    assertThat(server.topics.topicCount()).as("topics after the idle close").isZero();
  }

  @Test
  void maxConnections_overTheBound_closedAtOnceAndCounted() {
    Client first = connect(KeelConfig.builder().set(CoreOptions.MAX_CONNECTIONS, 1));
    Client second = connect();
    assertThat(first.channel.isOpen()).as("first connection under max-connections 1").isTrue();
    assertThat(second.channel.isOpen()).as("second connection over max-connections 1").isFalse();
    assertThat(server.sessions.count()).as("sessions").isEqualTo(1);
    assertThat(server.counters.closedCount(CloseCause.SERVER_FULL)).as("refused as server full").isEqualTo(1);
  }
}
