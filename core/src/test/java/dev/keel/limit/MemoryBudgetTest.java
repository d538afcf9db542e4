package dev.keel.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  private static final long BUDGET = 1_000_000;

  @Test
  void admits_underTheHardLimit_always() {
    MemoryBudget b = new MemoryBudget(BUDGET);
    b.charge(MemoryBudget.Kind.OUTBOUND, 970_000);
    assertThat(b.admits(10_000, 900_000)).as("to 98% of the budget, whoever holds what").isTrue();
  }

  @Test
  void admits_betweenTheHardLimitAndTheBudget_onlyWithinTheFairShareOfOpenConnections() {
    MemoryBudget b = new MemoryBudget(BUDGET);
    for (int i = 0; i < 4; i++) {
      b.connectionOpened();
    }
    // 20 subscriptions are charged to connections too (2.5 connections' cost), but are no connections.
    b.charge(MemoryBudget.Kind.CONNECTIONS, 20L * MemoryBudget.SUBSCRIPTION_COST);
    b.charge(MemoryBudget.Kind.OUTBOUND, 985_000 - b.total());
    long share = BUDGET / 4;
    assertThat(b.admits(1_000, share - 2_000)).as("a holder under its share of 4 connections").isTrue();
    assertThat(b.admits(1_000, share)).as("a holder at its share").isFalse();
  }

  @Test
  void admits_inTheLastPercent_never_evenWithinTheFairShare() {
    MemoryBudget b = new MemoryBudget(BUDGET);
    b.connectionOpened();
    b.charge(MemoryBudget.Kind.OUTBOUND, 990_500 - b.total());
    assertThat(b.admits(100, 0)).as("at 99.05%, from the only connection, holding nothing").isFalse();
  }

  @Test
  void admits_pastTheBudget_never() {
    MemoryBudget b = new MemoryBudget(BUDGET);
    b.connectionOpened();
    b.charge(MemoryBudget.Kind.OUTBOUND, BUDGET - b.total());
    assertThat(b.admits(1, 0)).as("one byte past the budget, from a holder of nothing").isFalse();
  }

  @Test
  void connections_costWhileOpen_andReturnToZero() {
    MemoryBudget b = new MemoryBudget(BUDGET);
    b.connectionOpened();
    b.connectionOpened();
    assertThat(b.held(MemoryBudget.Kind.CONNECTIONS)).as("two open").isEqualTo(2L * MemoryBudget.CONNECTION_COST);
    b.connectionClosed();
    b.connectionClosed();
    assertThat(b.held(MemoryBudget.Kind.CONNECTIONS)).as("both closed").isZero();
    assertThat(b.total()).as("total").isZero();
  }
}
