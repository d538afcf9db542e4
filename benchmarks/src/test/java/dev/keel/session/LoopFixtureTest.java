package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.transport.tcp.TcpWires;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The benchmarks' fixture is what their javadoc says: real sessions on one shared loop, writes discarded. */
class LoopFixtureTest {
  private static ByteBuf frame() {
    ByteBuf payload = ByteBufAllocator.DEFAULT.directBuffer(512).writeZero(512);
    try {
      return TcpWires.wire().dataFrame(ByteBufAllocator.DEFAULT, payload, false);
    } finally {
      payload.release();
    }
  }

  @Test
  void open_threeSessions_shareTheFixturesOneLoop() {
    try (LoopFixture f = new LoopFixture(KeelConfig.defaults())) {
      for (int i = 0; i < 3; i++) {
        Session s = f.open(TcpWires.wire());
        assertThat(s.eventLoop()).as("session %d's loop", i).isSameAs(f.loop());
        assertThat(s.channel.isActive()).as("session %d's channel is active", i).isTrue();
      }
    }
  }

  @Test
  void offerThenRunTasks_everySessionFlushesItsFrame_andDiscardReleasesThem() {
    ByteBuf frame = frame();
    try (LoopFixture f = new LoopFixture(KeelConfig.defaults())) {
      Session[] sessions = {f.open(TcpWires.wire()), f.open(TcpWires.wire()), f.open(TcpWires.wire())};
      for (Session s : sessions) {
        assertThat(s.offer(frame, null)).as("offer to an empty queue").isEqualTo(SendOutcome.QUEUED);
      }
      assertThat(frame.refCnt()).as("each queue holds its own reference").isEqualTo(4);

      f.runTasks();

      for (Session s : sessions) {
        assertThat(LoopFixture.channel(s).outboundMessages()).as("frames flushed by %s", s).hasSize(1);
        assertThat(s.outbound.isEmpty()).as("%s's queue after the drain", s).isTrue();
      }
      assertThat(f.discardWritten()).as("channels that had written").isEqualTo(3);
      assertThat(frame.refCnt()).as("written frames released").isEqualTo(1);
    } finally {
      frame.release();
    }
  }

  @Test
  void close_withFramesStillQueued_releasesThemAndLeavesNothingCharged() {
    ByteBuf frame = frame();
    LoopFixture f = new LoopFixture(KeelConfig.defaults());
    Session s = f.open(TcpWires.wire());
    assertThat(s.offer(frame, null)).as("offer").isEqualTo(SendOutcome.QUEUED);

    f.close(); // throws if a byte stayed queued or charged

    assertThat(frame.refCnt()).as("the queued duplicate was released").isEqualTo(1);
    assertThat(f.budget.total()).as("memory budget after close").isZero();
    frame.release();
  }
}
