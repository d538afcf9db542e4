package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Close codes and upgrade answers as the client's events name them (docs/protocol.md's table). */
class CloseKindTest {
  @Test
  void of_mapsTheServersCloseCodesAndReasons() {
    assertThat(CloseKind.of(1001, "going away")).as("shutdown").isEqualTo(CloseKind.GOING_AWAY);
    assertThat(CloseKind.of(1001, "idle timeout")).as("idle").isEqualTo(CloseKind.IDLE_TIMEOUT);
    assertThat(CloseKind.of(1008, "slow consumer")).as("slow").isEqualTo(CloseKind.SLOW_CONSUMER);
    assertThat(CloseKind.of(1008, "server overloaded")).as("shed").isEqualTo(CloseKind.OVERLOADED);
    assertThat(CloseKind.of(1008, "token expired")).as("token").isEqualTo(CloseKind.TOKEN_EXPIRED);
    assertThat(CloseKind.of(1008, "rate limit")).as("rate").isEqualTo(CloseKind.RATE_LIMITED);
    assertThat(CloseKind.of(1009, "message too big")).as("too large").isEqualTo(CloseKind.TOO_LARGE);
    assertThat(CloseKind.of(1013, "try again later")).as("1013").isEqualTo(CloseKind.OVERLOADED);
    assertThat(CloseKind.of(1006, "reset")).as("no close frame").isEqualTo(CloseKind.CONNECTION_LOST);
  }

  @Test
  void ofStatus_stopsOn401And403_andBacksOffOn503() {
    assertThat(CloseKind.ofStatus(401).stops()).as("401 stops").isTrue();
    assertThat(CloseKind.ofStatus(403).stops()).as("403 stops").isTrue();
    assertThat(CloseKind.ofStatus(503)).as("503").isEqualTo(CloseKind.OVERLOADED);
    assertThat(CloseKind.ofStatus(503).stops()).as("503 retries").isFalse();
  }
}
