package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.EmbeddedTcp.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The inbound gate on EmbeddedChannel: reading runs exactly while no suspension reason holds, whichever
 * of them (the rate limit's backlog, a full application queue, a close) come and go, and in any order.
 */
class InboundGateTest {
  private static final class Recorder implements ConnectionHandler {
    Session session;
    final List<String> received = new ArrayList<>();

    @Override
    public void onOpen(Session s) {
      session = s;
    }

    @Override
    public void onMessage(Session s, byte[] payload, boolean binary) {
      received.add(new String(payload, StandardCharsets.UTF_8));
    }

    @Override
    public void onClose(Session s, CloseCause reason) {}
  }

  private final Recorder handler = new Recorder();
  private Client client;

  private Client connect(int rate, int burst) {
    EmbeddedTcp server = EmbeddedTcp.raw(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, rate)
        .set(CoreOptions.RATE_BURST, burst).build(), topics -> handler);
    client = server.connect();
    return client;
  }

  @AfterEach
  void close() {
    client.peerClose();
    assertThat(client.hasScheduledTasks()).as("a task still scheduled after the close").isFalse();
    client.close();
  }

  private boolean reading() {
    return client.channel.config().isAutoRead();
  }

  @Test
  void backlogAndApplicationHold_readingResumesOnlyWhenBothAreGone() {
    Client c = connect(10, 2);
    c.send("a", "b", "c", "d"); // two pass, two wait for tokens
    assertThat(handler.received).containsExactly("a", "b");
    assertThat(reading()).as("reading with a backlog").isFalse();
    handler.session.pauseInbound();
    c.advance(Duration.ofMillis(500), Duration.ofMillis(50));
    assertThat(handler.received).as("held for the application: nothing more handed on, tokens or not")
        .containsExactly("a", "b");
    assertThat(reading()).as("reading while held for the application").isFalse();
    handler.session.resumeInbound();
    c.advance(Duration.ofMillis(100), Duration.ofMillis(50));
    assertThat(handler.received).as("the backlog handed on once released").containsExactly("a", "b", "c", "d");
    assertThat(reading()).as("reading with no reason left").isTrue();
  }

  @Test
  void applicationHoldReleased_withABacklogStillWaitingForTokens_keepsReadingOff() {
    Client c = connect(10, 1);
    handler.session.pauseInbound();
    c.send("a", "b", "c");
    assertThat(handler.received).as("held: nothing handed on").isEmpty();
    handler.session.resumeInbound();
    assertThat(handler.received).as("one token: one message").containsExactly("a");
    assertThat(reading()).as("two still wait for tokens").isFalse();
    c.advance(Duration.ofMillis(250), Duration.ofMillis(50));
    assertThat(handler.received).containsExactly("a", "b", "c");
    assertThat(reading()).as("reading once the backlog is gone").isTrue();
  }

  @Test
  void closeWhileHeld_dropsTheBacklog_andReadsToDiscard() {
    Client c = connect(10, 1);
    c.send("a", "b", "c");
    handler.session.pauseInbound();
    handler.session.close(CloseCause.ERROR);
    assertThat(handler.session.gate.backlog()).as("backlog after the close").isZero();
    assertThat(reading()).as("after the goodbye the socket is read (and discarded) for a clean FIN")
        .isTrue();
    c.advance(Duration.ofMillis(500), Duration.ofMillis(50));
    assertThat(handler.received).as("nothing handed on after the close, tokens or not").containsExactly("a");
  }
  // ------------------------------------------------------------------ control frames take tokens

  @Test
  void controlFramesOverTheRate_areOwed_readingStops_andMessagesWaitBehindTheDebt() {
    Client c = connect(10, 2);
    ControlFrames.received(handler.session, null);
    ControlFrames.received(handler.session, null);
    assertThat(reading()).as("two control frames within the burst").isTrue();
    ControlFrames.received(handler.session, null); // no token left: owed
    assertThat(reading()).as("reading once a control frame is owed").isFalse();
    c.send("after");
    assertThat(handler.received).as("a message behind an owed control frame").isEmpty();
    c.advance(Duration.ofMillis(100), Duration.ofMillis(10));
    assertThat(handler.received).as("after one token: the debt is paid, the message still waits").isEmpty();
    c.advance(Duration.ofMillis(100), Duration.ofMillis(10));
    assertThat(handler.received).as("after the second token").containsExactly("after");
    assertThat(reading()).as("reading once debt and backlog are gone").isTrue();
    assertThat(handler.session.gate.rateLimitedCount()).as("the owed frame and the message behind it, counted")
        .isEqualTo(2);
  }

  @Test
  void aFloodOfControlFrames_costsACounter_andResumesExactlyWhenItsTokensArePaid() {
    Client c = connect(100, 1);
    c.heartbeat(); // completes the TCP handshake: its 10 s deadline would otherwise end the session here
    for (int i = 0; i < 1_000; i++) {
      ControlFrames.received(handler.session, null); // what one read of empty pongs can hold
    }
    assertThat(reading()).as("reading during the debt").isFalse();
    assertThat(handler.session.gate.backlog()).as("owed control frames are counted, not queued").isZero();
    // Steps of 5 ms: each resume runs when its token is due (a bucket of 1 holds no more than one).
    c.advance(Duration.ofMillis(9_980), Duration.ofMillis(5));
    assertThat(reading()).as("9.98 s later: 999 frames at 100/s are not yet paid").isFalse();
    c.advance(Duration.ofMillis(40), Duration.ofMillis(5));
    assertThat(reading()).as("10 s later: paid").isTrue();
    assertThat(handler.session.isOpen()).as("reading again because the debt is paid, not because it closed").isTrue();
  }

  @Test
  void controlFrameOverTheRate_underTheDisconnectPolicy_closes() {
    EmbeddedTcp server = EmbeddedTcp.raw(KeelConfig.builder().set(CoreOptions.RATE_LIMIT, 10)
        .set(CoreOptions.RATE_BURST, 1).set(CoreOptions.RATE_LIMIT_POLICY, dev.keel.config.RateLimitPolicy.DISCONNECT)
        .build(), topics -> handler);
    client = server.connect();
    ControlFrames.received(handler.session, null);
    assertThat(handler.session.isOpen()).as("within the burst").isTrue();
    ControlFrames.received(handler.session, null);
    assertThat(handler.session.isOpen()).as("over the rate under disconnect").isFalse();
    assertThat(client.frames()).as("the goodbye").contains("{\"op\":\"error\",\"code\":\"rate_limited\",\"message\":\"rate limit\"}");
  }
}
