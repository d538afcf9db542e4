package dev.keel.session;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.config.SlowConsumerPolicy;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.EmbeddedTcp.Client;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the embedding API needs from a session, on EmbeddedChannel: pausing the inbound side for a
 * full application queue, and learning when a data message was written (or why it never will be).
 */
class SessionInboundTest {
  /** Records messages; pauses the session's inbound side when told to. */
  private static final class Recorder implements ConnectionHandler {
    Session session;
    final List<String> received = new ArrayList<>();
    String pauseOn;

    @Override
    public void onOpen(Session s) {
      session = s;
    }

    @Override
    public void onMessage(Session s, byte[] payload, boolean binary) {
      String m = new String(payload, StandardCharsets.UTF_8);
      received.add(m);
      if (m.equals(pauseOn)) {
        s.pauseInbound();
      }
    }

    @Override
    public void onClose(Session s, CloseCause reason) {}
  }

  private final Recorder handler = new Recorder();
  private EmbeddedTcp server;
  private Client client;

  private Client connect(KeelConfig.Builder config) {
    server = EmbeddedTcp.raw(config.build(), topics -> handler);
    client = server.connect();
    return client;
  }

  @AfterEach
  void close() {
    client.peerClose();
    assertThat(client.hasScheduledTasks()).as("a task still scheduled after the close").isFalse();
    client.close();
    assertThat(server.counters.queuedBytes()).as("queued bytes after the close").isZero();
  }

  @Test
  void pauseInbound_laterMessagesOfTheSameReadWaitInOrder_resumeDeliversThemAndReadsAgain() {
    handler.pauseOn = "m2";
    Client c = connect(KeelConfig.builder());
    c.send("m1", "m2", "m3", "m4", "m5");
    assertThat(handler.received).as("delivered before and at the pause").containsExactly("m1", "m2");
    assertThat(handler.session.gate.backlog()).as("messages waiting").isEqualTo(3);
    assertThat(c.channel.config().isAutoRead()).as("reading while paused").isFalse();

    handler.session.resumeInbound();
    assertThat(handler.received).as("delivered after the resume").containsExactly("m1", "m2", "m3", "m4", "m5");
    assertThat(handler.session.gate.backlog()).as("messages waiting after the resume").isZero();
    assertThat(c.channel.config().isAutoRead()).as("reading after the resume").isTrue();
  }

  @Test
  void pauseInbound_longerThanTheIdleTimeout_notIdle_idleClockRestartsOnResume() {
    handler.pauseOn = "m1";
    Client c = connect(KeelConfig.builder().set(CoreOptions.IDLE_TIMEOUT, java.time.Duration.ofSeconds(3))
        .set(CoreOptions.HEARTBEAT_INTERVAL, java.time.Duration.ofSeconds(1)));
    c.send("m1");
    c.advance(java.time.Duration.ofSeconds(10));
    assertThat(c.channel.isOpen()).as("open after 10s paused for the application (idle timeout 3s)").isTrue();
    handler.session.resumeInbound();
    c.advance(java.time.Duration.ofSeconds(2));
    assertThat(c.channel.isOpen()).as("open 2s after the resume").isTrue();
    c.advance(java.time.Duration.ofSeconds(2));
    assertThat(c.channel.isOpen()).as("open 4s after the resume, peer silent").isFalse();
    assertThat(server.counters.closedCount(CloseCause.IDLE_TIMEOUT)).as("closed as idle").isEqualTo(1);
  }

  @Test
  void pauseInbound_whileThrottled_resumeStillWaitsForTokens() {
    handler.pauseOn = "m1";
    Client c = connect(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 1).set(CoreOptions.RATE_BURST, 2));
    c.send("m1", "m2", "m3");
    assertThat(handler.received).as("delivered before the pause").containsExactly("m1");
    handler.session.resumeInbound();
    assertThat(handler.received).as("delivered on resume: one token left").containsExactly("m1", "m2");
    assertThat(c.channel.config().isAutoRead()).as("reading while throttled").isFalse();
    c.advance(java.time.Duration.ofSeconds(1));
    assertThat(handler.received).as("delivered once a token is due").containsExactly("m1", "m2", "m3");
    assertThat(c.channel.config().isAutoRead()).as("reading once nothing waits").isTrue();
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  /** Queues {@code s} as data with a completion. */
  private CompletableFuture<SendOutcome> sendTracked(String s) {
    CompletableFuture<SendOutcome> written = new CompletableFuture<>();
    handler.session.send(s.getBytes(StandardCharsets.UTF_8), false, written);
    return written;
  }

  private static void setWritable(Client c, boolean writable) {
    c.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    c.channel.runPendingTasks();
  }

  @Test
  void sendDataTracked_writable_completesQueuedOnceWritten() {
    Client c = connect(KeelConfig.builder());
    c.heartbeat();
    CompletableFuture<SendOutcome> written = sendTracked("{\"a\":1}");
    assertThat(c.frames()).as("frames written").containsExactly("{\"a\":1}");
    assertThat(written).as("completion once written").isCompletedWithValue(SendOutcome.QUEUED);
  }

  @Test
  void sendDataTracked_unwritableThenPeerCloses_completesClosed() {
    Client c = connect(KeelConfig.builder());
    c.heartbeat();
    setWritable(c, false);
    CompletableFuture<SendOutcome> written = sendTracked("{\"a\":1}");
    c.channel.runPendingTasks();
    assertThat(written).as("completion while unwritable").isNotDone();
    c.peerClose();
    assertThat(written).as("completion after the peer closed").isCompletedWithValue(SendOutcome.CLOSED);
  }

  @Test
  void sendDataTracked_droppedByDropOldest_completesDroppedAndTheRestAreWritten() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 2).set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.DROP_OLDEST));
    c.heartbeat();
    setWritable(c, false);
    CompletableFuture<SendOutcome> first = sendTracked("1");
    CompletableFuture<SendOutcome> second = sendTracked("2");
    CompletableFuture<SendOutcome> third = sendTracked("3"); // drops "1"
    assertThat(first).as("the dropped message's completion").isCompletedWithValue(SendOutcome.DROPPED);
    setWritable(c, true);
    assertThat(c.frames()).as("frames written").containsExactly("2", "3");
    assertThat(second).as("second").isCompletedWithValue(SendOutcome.QUEUED);
    assertThat(third).as("third").isCompletedWithValue(SendOutcome.QUEUED);
  }

  @Test
  void sendDataTracked_dropNewestWhenFull_completesDroppedAtOnce() {
    Client c = connect(KeelConfig.builder().set(CoreOptions.OUTBOUND_QUEUE_MESSAGES, 1).set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.DROP_NEWEST));
    c.heartbeat();
    setWritable(c, false);
    CompletableFuture<SendOutcome> first = sendTracked("1");
    CompletableFuture<SendOutcome> second = sendTracked("2");
    assertThat(second).as("completion of the message that did not fit").isCompletedWithValue(SendOutcome.DROPPED);
    setWritable(c, true);
    assertThat(c.frames()).as("frames written").containsExactly("1");
    assertThat(first).as("first").isCompletedWithValue(SendOutcome.QUEUED);
  }
}
