package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.SlowConsumerPolicy;
import dev.keel.limit.MemoryBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
  private final SessionCounters counters = new SessionCounters();
  private final LongAdder global = counters.queuedBytes;
  private final MemoryBudget budget = new MemoryBudget(1L << 30);
  /** Every buffer a test created, to check and release at the end. */
  private final List<ByteBuf> created = new ArrayList<>();
  /** Buffers the test still holds its own reference to (data payloads are shared, not given). */
  private final List<ByteBuf> ours = new ArrayList<>();

  private ByteBuf shared(int size, int marker) {
    ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(size);
    for (int i = 0; i < size; i++) {
      b.writeByte(marker);
    }
    created.add(b);
    ours.add(b);
    return b;
  }

  private ByteBuf control(int size) {
    ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(size).writeZero(size);
    created.add(b);
    return b;
  }

  private Outbound queue(int maxBytes, int maxMessages, SlowConsumerPolicy policy) {
    SessionSettings settings = new SessionSettings(1, 1, 1, 1, 1, maxBytes, maxMessages, policy, 1, 1,
        dev.keel.config.RateLimitPolicy.THROTTLE, maxBytes, 1);
    return new Outbound(new ServerContext(null, settings, null, null, counters, UnpooledByteBufAllocator.DEFAULT,
        false, budget));
  }

  /** The marker byte of each data message left in the queue, in order; releases what it polls. */
  private static List<Integer> drainData(Outbound q) {
    List<Integer> markers = new ArrayList<>();
    ByteBuf b;
    while ((b = q.pollData()) != null) {
      markers.add((int) b.getByte(b.readerIndex()));
      b.release();
    }
    return markers;
  }

  @AfterEach
  void releaseOurs() {
    for (ByteBuf b : ours) {
      if (b.refCnt() > 0) {
        b.release();
      }
    }
    for (ByteBuf b : created) {
      assertThat(b.refCnt()).as("refCnt of a buffer after the test and the queue let go").isZero();
    }
    if (global.sum() == 0) {
      assertThat(budget.held(MemoryBudget.Kind.OUTBOUND))
          .as("outbound bytes charged to the budget once every queue let go").isZero();
    }
  }

  @Test
  void offerData_upToTheByteBound_thenFullUnderDisconnect() {
    Outbound q = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    assertThat(q.offerData(shared(40, 1))).as("40 of 100 bytes").isEqualTo(Outbound.Offer.QUEUED);
    assertThat(q.offerData(shared(60, 2))).as("100 of 100 bytes").isEqualTo(Outbound.Offer.QUEUED);
    ByteBuf third = shared(1, 3);
    assertThat(q.offerData(third)).as("101 of 100 bytes under disconnect").isEqualTo(Outbound.Offer.FULL);
    assertThat(third.refCnt()).as("refCnt of a message the queue refused (not retained)").isEqualTo(1);
    assertThat(q.bytes()).as("queued bytes").isEqualTo(100);
    assertThat(global.sum()).as("global queued bytes").isEqualTo(100);
    assertThat(q.count()).as("queued messages").isEqualTo(2);
    assertThat(q.drops()).as("drops under disconnect").isZero();
    q.releaseAll();
  }

  @Test
  void offerData_upToTheMessageBound_thenFullUnderDisconnect() {
    Outbound q = queue(1000, 2, SlowConsumerPolicy.DISCONNECT);
    q.offerData(shared(1, 1));
    q.offerData(shared(1, 2));
    assertThat(q.offerData(shared(1, 3))).as("third message with a bound of 2")
        .isEqualTo(Outbound.Offer.FULL);
    assertThat(q.count()).as("queued messages").isEqualTo(2);
    q.releaseAll();
  }

  @Test
  void offerData_queuesTheSharedFrameItself_andWritingItMovesNoRecipientsIndices() {
    // One frame shared by two recipients' queues, as a broadcast shares it: each holds a reference to
    // the same object, and a write (which moves the indices of what Netty is given) must leave the
    // frame whole for the other recipient.
    Outbound first = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    Outbound second = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    ByteBuf msg = shared(10, 7);
    first.offerData(msg);
    second.offerData(msg);
    assertThat(msg.refCnt()).as("refCnt of a frame queued for two recipients, with the caller's").isEqualTo(3);
    io.netty.channel.embedded.EmbeddedChannel a = new io.netty.channel.embedded.EmbeddedChannel();
    io.netty.channel.embedded.EmbeddedChannel b = new io.netty.channel.embedded.EmbeddedChannel();
    try {
      assertThat(first.drainTo(a, 1)).as("the first queue wrote").isTrue();
      ByteBuf wroteA = a.readOutbound();
      assertThat(wroteA.readableBytes()).as("bytes written to the first recipient").isEqualTo(10);
      wroteA.skipBytes(10); // what a socket's partial writes do to the buffer Netty was given
      wroteA.release();
      assertThat(msg.readableBytes()).as("the shared frame's readable bytes after the first recipient's write").isEqualTo(10);
      assertThat(second.drainTo(b, 1)).as("the second queue wrote").isTrue();
      ByteBuf wroteB = b.readOutbound();
      assertThat(wroteB.readableBytes()).as("bytes written to the second recipient").isEqualTo(10);
      assertThat(wroteB.getByte(wroteB.readerIndex())).as("the second recipient's first byte").isEqualTo((byte) 7);
      wroteB.release();
    } finally {
      a.finishAndReleaseAll();
      b.finishAndReleaseAll();
    }
    assertThat(msg.refCnt()).as("refCnt once both were written: the caller's alone").isEqualTo(1);
    assertThat(global.sum()).as("global queued bytes after both writes").isZero();
  }

  @Test
  void dropNewest_full_dropsTheNewMessageAndKeepsTheQueued() {
    Outbound q = queue(100, 2, SlowConsumerPolicy.DROP_NEWEST);
    q.offerData(shared(10, 1));
    q.offerData(shared(10, 2));
    ByteBuf third = shared(10, 3);
    assertThat(q.offerData(third)).as("third message under drop-newest").isEqualTo(Outbound.Offer.DROPPED);
    assertThat(third.refCnt()).as("refCnt of the dropped new message (caller's reference only)").isEqualTo(1);
    assertThat(q.lastDropped()).as("messages the last offer dropped").isEqualTo(1);
    assertThat(q.drops()).as("drops so far").isEqualTo(1);
    assertThat(drainData(q)).as("messages left under drop-newest").containsExactly(1, 2);
    assertThat(global.sum()).as("global queued bytes").isZero();
  }

  @Test
  void dropOldest_full_releasesTheOldestUntilTheNewOneFits() {
    Outbound q = queue(100, 10, SlowConsumerPolicy.DROP_OLDEST);
    ByteBuf first = shared(30, 1);
    ByteBuf second = shared(30, 2);
    q.offerData(first);
    q.offerData(second);
    q.offerData(shared(30, 3));
    assertThat(q.offerData(shared(50, 4))).as("50 bytes onto 90 of 100 under drop-oldest")
        .isEqualTo(Outbound.Offer.QUEUED_AFTER_DROPPING);
    assertThat(q.lastDropped()).as("oldest messages dropped to fit 50 bytes").isEqualTo(2);
    assertThat(first.refCnt()).as("refCnt of the dropped oldest (the queue released its share)").isEqualTo(1);
    assertThat(second.refCnt()).as("refCnt of the second dropped").isEqualTo(1);
    assertThat(q.bytes()).as("queued bytes").isEqualTo(80);
    assertThat(global.sum()).as("global queued bytes").isEqualTo(80);
    assertThat(drainData(q)).as("messages left under drop-oldest").containsExactly(3, 4);
  }

  @Test
  void dropOldest_messageBound_dropsOneOldest() {
    Outbound q = queue(1000, 2, SlowConsumerPolicy.DROP_OLDEST);
    q.offerData(shared(1, 1));
    q.offerData(shared(1, 2));
    assertThat(q.offerData(shared(1, 3))).as("third message with a bound of 2 under drop-oldest")
        .isEqualTo(Outbound.Offer.QUEUED_AFTER_DROPPING);
    assertThat(drainData(q)).as("messages left").containsExactly(2, 3);
    assertThat(q.drops()).as("drops").isEqualTo(1);
  }

  @Test
  void dropOldest_messageLargerThanTheByteBound_isDroppedAndNothingElseIs() {
    Outbound q = queue(100, 10, SlowConsumerPolicy.DROP_OLDEST);
    q.offerData(shared(10, 1));
    ByteBuf huge = shared(101, 2);
    assertThat(q.offerData(huge)).as("101 bytes with a bound of 100 under drop-oldest")
        .isEqualTo(Outbound.Offer.DROPPED);
    assertThat(q.lastDropped()).as("messages dropped: only the huge one").isEqualTo(1);
    assertThat(huge.refCnt()).as("refCnt of the huge message (not retained)").isEqualTo(1);
    assertThat(drainData(q)).as("messages left").containsExactly(1);
  }

  @Test
  void dropOldest_controlFillsTheQueue_newDataIsDropped() {
    Outbound q = queue(100, 10, SlowConsumerPolicy.DROP_OLDEST);
    assertThat(q.offerControl(control(95))).as("a 95-byte control frame").isTrue();
    assertThat(q.offerData(shared(10, 1))).as("10 bytes of data behind 95 of control")
        .isEqualTo(Outbound.Offer.DROPPED);
    assertThat(q.count()).as("queued: the control frame only").isEqualTo(1);
    q.releaseAll();
  }

  @Test
  void control_neverDroppedByPolicy_andPolledBeforeData() {
    for (SlowConsumerPolicy policy : SlowConsumerPolicy.values()) {
      Outbound q = queue(100, 2, policy);
      q.offerData(shared(50, 1));
      q.offerData(shared(50, 2));
      ByteBuf c1 = control(20);
      ByteBuf c2 = control(20);
      assertThat(q.offerControl(c1)).as("control onto a full queue under %s", policy).isTrue();
      assertThat(q.offerControl(c2)).as("second control onto a full queue under %s", policy).isTrue();
      assertThat(q.drops()).as("data dropped for control under %s", policy).isZero();
      assertThat(q.pollControl()).as("first poll under %s", policy).isSameAs(c1);
      assertThat(q.pollControl()).as("second poll under %s", policy).isSameAs(c2);
      assertThat(q.pollControl()).as("third poll under %s: control is empty", policy).isNull();
      c1.release();
      c2.release();
      assertThat(drainData(q)).as("data after the control under %s", policy).containsExactly(1, 2);
      assertThat(q.isEmpty()).as("queue emptied under %s", policy).isTrue();
    }
    assertThat(global.sum()).as("global queued bytes").isZero();
  }

  @Test
  void control_interleavedOffersAndPolls_comeOutInTheOrderQueued_andAreCounted() {
    // The first control frame waits in a slot of its own, the others in a queue behind it: whatever
    // the interleaving, polls must see offer order, and count/bytes must follow every step.
    Outbound q = queue(10_000, 100, SlowConsumerPolicy.DROP_NEWEST);
    java.util.ArrayDeque<ByteBuf> expected = new java.util.ArrayDeque<>();
    java.util.Random random = new java.util.Random(15);
    for (int step = 0; step < 500; step++) {
      if (expected.size() < 6 && (expected.isEmpty() || random.nextBoolean())) {
        ByteBuf c = control(1 + random.nextInt(10));
        assertThat(q.offerControl(c)).as("offer at step %d", step).isTrue();
        expected.addLast(c);
      } else {
        ByteBuf got = (ByteBuf) q.pollControl();
        assertThat(got).as("poll at step %d", step).isSameAs(expected.pollFirst());
        got.release();
      }
      assertThat(q.count()).as("count at step %d", step).isEqualTo(expected.size());
      assertThat(q.bytes()).as("bytes at step %d", step)
          .isEqualTo(expected.stream().mapToLong(ByteBuf::readableBytes).sum());
      assertThat(q.isEmpty()).as("isEmpty at step %d", step).isEqualTo(expected.isEmpty());
    }
    q.releaseAll();
    assertThat(q.pollControl()).as("after releaseAll").isNull();
    assertThat(global.sum()).as("global queued bytes").isZero();
  }

  @Test
  void control_pastTwiceTheByteBound_refusedAndReleased() {
    Outbound q = queue(100, 100, SlowConsumerPolicy.DISCONNECT);
    assertThat(q.offerControl(control(100))).as("control to 100 of 100 bytes").isTrue();
    assertThat(q.offerControl(control(100))).as("control to 200 of 100 bytes (twice the bound)").isTrue();
    ByteBuf over = control(1);
    assertThat(q.offerControl(over)).as("control to 201 of 100 bytes").isFalse();
    assertThat(over.refCnt()).as("refCnt of the refused control frame").isZero();
    assertThat(q.bytes()).as("queued bytes").isEqualTo(200);
    q.releaseAll();
  }

  @Test
  void control_pastTwiceTheMessageBound_refusedAndReleased() {
    Outbound q = queue(1000, 2, SlowConsumerPolicy.DROP_NEWEST);
    for (int i = 0; i < 4; i++) {
      assertThat(q.offerControl(control(1))).as("control frame %d of 4 allowed", i + 1).isTrue();
    }
    ByteBuf fifth = control(1);
    assertThat(q.offerControl(fifth)).as("fifth control frame with a message bound of 2").isFalse();
    assertThat(fifth.refCnt()).as("refCnt of the refused control frame").isZero();
    q.releaseAll();
  }

  @Test
  void control_byteBufHolder_sizedByItsContent() {
    Outbound q = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    DefaultByteBufHolder holder = new DefaultByteBufHolder(control(33));
    q.offerControl(holder);
    assertThat(q.bytes()).as("bytes of a queued ByteBufHolder").isEqualTo(33);
    assertThat(global.sum()).as("global bytes of a queued ByteBufHolder").isEqualTo(33);
    Object polled = q.pollControl();
    assertThat(polled).as("polled holder").isSameAs(holder);
    ReferenceCountUtil.release(polled);
    assertThat(q.bytes()).as("bytes after polling the holder").isZero();
  }

  @Test
  void releaseData_keepsControl() {
    Outbound q = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    q.offerData(shared(10, 1));
    ByteBuf c = control(5);
    q.offerControl(c);
    q.releaseData();
    assertThat(q.hasData()).as("data after releaseData").isFalse();
    assertThat(q.bytes()).as("bytes after releaseData: the control frame").isEqualTo(5);
    assertThat(c.refCnt()).as("refCnt of the kept control frame").isEqualTo(1);
    q.releaseAll();
  }

  @Test
  void releaseAll_releasesEveryBuffer_andGlobalBytesReturnToZero() {
    Outbound q = queue(1000, 100, SlowConsumerPolicy.DROP_OLDEST);
    List<ReferenceCounted> controls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      q.offerData(shared(20, i));
      ByteBuf c = control(7);
      controls.add(c);
      q.offerControl(c);
    }
    assertThat(global.sum()).as("global queued bytes before releaseAll").isEqualTo(5 * 27);
    for (ByteBuf b : ours) {
      b.release(); // the publisher lets go: the queue's share is the last reference
    }
    q.releaseAll();
    assertThat(q.isEmpty()).as("queue after releaseAll").isTrue();
    assertThat(q.bytes()).as("queue bytes after releaseAll").isZero();
    assertThat(global.sum()).as("global queued bytes after releaseAll").isZero();
    for (ByteBuf b : created) {
      assertThat(b.refCnt()).as("refCnt of every buffer after releaseAll").isZero();
    }
  }

  @Test
  void globalBytes_sharedByQueues_tracksEnqueueAndPoll() {
    Outbound a = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    Outbound b = queue(100, 10, SlowConsumerPolicy.DISCONNECT);
    ByteBuf msg = shared(25, 1);
    a.offerData(msg);
    b.offerData(msg);
    assertThat(global.sum()).as("global bytes with one message in two queues").isEqualTo(50);
    a.pollData().release();
    assertThat(global.sum()).as("global bytes after one queue wrote it").isEqualTo(25);
    b.releaseAll();
    assertThat(global.sum()).as("global bytes after both let go").isZero();
  }
}
