package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One loop's heap of session deadlines, on an EmbeddedChannel's loop with its clock moved by hand. */
class LoopDeadlinesTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final EventLoop loop = channel.eventLoop();
  private final Sessions sessions = new Sessions(100_000);
  private final List<String> fired = new ArrayList<>();
  /** The loop's clock stands still but where it was when the test began: times here count from it. */
  private final long start = frozenStart();

  private long frozenStart() {
    channel.freezeTime();
    return loop.ticker().nanoTime();
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  /** An entry that records when it fired and, if asked, re-arms itself once {@code every} later. */
  private final class Probe extends LoopDeadlines.Entry {
    final String name;
    long every;

    Probe(String name) {
      this.name = name;
    }

    void arm(long atMs) {
      due = start + TimeUnit.MILLISECONDS.toNanos(atMs);
      sessions.deadlinesOf(loop).add(this, now());
    }

    @Override
    void fire() {
      fired.add(name + "@" + TimeUnit.NANOSECONDS.toMillis(now() - start));
      if (every > 0) {
        due = now() + every;
        sessions.deadlinesOf(loop).add(this, now());
      }
    }
  }

  private long now() {
    return loop.ticker().nanoTime();
  }

  private void advanceMs(long ms) {
    for (long i = 0; i < ms; i++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
    }
  }

  @Test
  void entries_fireAtTheirOwnDeadlines_inDeadlineOrder_whateverTheOrderArmed() {
    Probe a = new Probe("a");
    Probe b = new Probe("b");
    Probe c = new Probe("c");
    c.arm(30);
    a.arm(10);
    b.arm(20);
    advanceMs(9);
    assertThat(fired).as("fired before the earliest deadline (10 ms)").isEmpty();
    advanceMs(25);
    assertThat(fired).as("fired by 34 ms, each at its own deadline").containsExactly("a@10", "b@20", "c@30");
    assertThat(sessions.deadlinesOf(loop).size()).as("entries left once all fired").isZero();
  }

  @Test
  void armedEarlier_firesAtTheEarlierTime_andMovedLater_firesLater() {
    Probe a = new Probe("a");
    Probe b = new Probe("b");
    a.arm(50);
    b.arm(40);
    a.arm(5); // earlier than the loop's task: it must be brought forward
    b.arm(60); // a later deadline for an entry already in
    advanceMs(70);
    assertThat(fired).as("fired after moving a to 5 ms and b to 60 ms").containsExactly("a@5", "b@60");
  }

  @Test
  void removed_neverFires_andAnEmptiedLoopKeepsNoTaskAndNoEntry() {
    Probe a = new Probe("a");
    Probe b = new Probe("b");
    a.arm(10);
    b.arm(20);
    LoopDeadlines d = sessions.deadlinesOf(loop);
    d.remove(a);
    d.remove(b);
    d.remove(b); // twice: a no-op
    advanceMs(30);
    assertThat(fired).as("fired after both were removed").isEmpty();
    assertThat(channel.hasPendingTasks()).as("the loop has a task left after the last entry went").isFalse();
    assertThat(sessions.deadlinesOf(loop)).as("a fresh heap once the emptied one was dropped").isNotSameAs(d);
  }

  @Test
  void reArmingForNow_waitsForTheNextPass_soOnePassEnds() {
    Probe a = new Probe("a");
    a.every = 1; // re-arms 1 ns after each firing: fires once per pass, never twice in one
    a.arm(1);
    advanceMs(3);
    assertThat(fired).as("passes at 1, 2 and 3 ms").containsExactly("a@1", "a@2", "a@3");
    sessions.deadlinesOf(loop).remove(a);
  }

  @Test
  void thousandsOfEntries_armedMovedAndRemovedAtRandom_fireExactlyAtTheirDeadlines() {
    Random random = new Random(42);
    int n = 3_000;
    Probe[] probes = new Probe[n];
    long[] expected = new long[n];
    for (int i = 0; i < n; i++) {
      probes[i] = new Probe(Integer.toString(i));
      expected[i] = 1 + random.nextInt(500);
      probes[i].arm(expected[i]);
    }
    for (int i = 0; i < n; i += 3) { // a third moved, later or earlier
      expected[i] = 1 + random.nextInt(500);
      probes[i].arm(expected[i]);
    }
    List<String> want = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 7 == 0) {
        sessions.deadlinesOf(loop).remove(probes[i]);
      } else {
        want.add(i + "@" + expected[i]);
      }
    }
    advanceMs(501);
    assertThat(fired).as("each entry fired once, at its last deadline; removed ones never")
        .containsExactlyInAnyOrderElementsOf(want);
    List<Long> times = fired.stream().map(f -> Long.parseLong(f.substring(f.indexOf('@') + 1))).toList();
    assertThat(times).as("firing times, in firing order").isSorted();
    assertThat(channel.hasPendingTasks()).as("the loop has a task left once every entry fired").isFalse();
  }
}
