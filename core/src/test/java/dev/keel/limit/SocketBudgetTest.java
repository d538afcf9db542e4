package dev.keel.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SocketBudgetTest {
  @Test
  void fromFdLimit_leavesAnEighthOrAtLeast64ForFiles() {
    assertThat(SocketBudget.fromFdLimit(1024)).as("ulimit -n 1024").isEqualTo(896);
    assertThat(SocketBudget.fromFdLimit(65_536)).as("ulimit -n 65536").isEqualTo(57_344);
    assertThat(SocketBudget.fromFdLimit(400)).as("ulimit -n 400: the 64 floor").isEqualTo(336);
    assertThat(SocketBudget.fromFdLimit(50)).as("a limit below the headroom").isEqualTo(1);
    assertThat(SocketBudget.fromFdLimit(Long.MAX_VALUE)).as("an unlimited process").isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void reserve_isTakenFromTheSharedPool_andOnlyItsListenerUsesIt() {
    SocketBudget budget = new SocketBudget(10);
    SocketBudget.Pool admin = budget.reserve(3);
    SocketBudget.Pool shared = budget.shared();
    assertThat(shared.limit()).as("the public listeners' share").isEqualTo(7);
    for (int i = 0; i < 7; i++) {
      assertThat(shared.tryAcquire()).as("public socket " + i).isTrue();
    }
    assertThat(shared.tryAcquire()).as("the public pool full").isFalse();
    assertThat(admin.tryAcquire()).as("the reserve when the public pool is full").isTrue();
    assertThat(admin.tryAcquire()).isTrue();
    assertThat(admin.tryAcquire()).isTrue();
    assertThat(admin.tryAcquire()).as("the reserve full").isFalse();
    assertThat(budget.inUse()).as("every socket counted once").isEqualTo(10);
    shared.release();
    admin.release();
    assertThat(shared.tryAcquire()).as("a place given back").isTrue();
    assertThat(budget.inUse()).isEqualTo(9);
  }

  @Test
  void reserve_thatWouldLeaveThePublicListenersNothing_isRefused() {
    SocketBudget budget = new SocketBudget(10);
    budget.reserve(9);
    assertThatThrownBy(() -> budget.reserve(1)).as("a reserve taking the last socket")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-sockets (10)");
    assertThat(budget.shared().limit()).as("the refused reserve took nothing").isEqualTo(1);
  }

  @Test
  void pool_holdsItsBoundUnderConcurrentAcquires() throws Exception {
    SocketBudget budget = new SocketBudget(1000);
    SocketBudget.Pool shared = budget.shared();
    java.util.concurrent.atomic.AtomicInteger won = new java.util.concurrent.atomic.AtomicInteger();
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 500; i++) {
          if (shared.tryAcquire()) {
            won.incrementAndGet();
          }
        }
      });
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(won.get()).as("acquired by 8 threads x 500 tries").isEqualTo(1000);
    assertThat(shared.open()).isEqualTo(1000);
  }
}
