package dev.keel.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code max-connections} slots and the ids handed out with them. */
class SessionsTest {

  @Test
  void reserve_handsOutIncreasingIdsFromOne_untilTheBound() {
    Sessions sessions = new Sessions(3);
    assertThat(new long[] {sessions.reserve(), sessions.reserve(), sessions.reserve()})
        .as("ids of the first three admitted connections").containsExactly(1, 2, 3);
    assertThat(sessions.reserve()).as("a fourth, over max-connections 3: refused").isZero();
    assertThat(sessions.reserved()).as("slots taken").isEqualTo(3);
  }

  @Test
  void unreserve_freesTheSlot_butNeverReusesTheId() {
    Sessions sessions = new Sessions(1);
    assertThat(sessions.reserve()).isEqualTo(1);
    sessions.unreserve(); // a handshake that failed after its slot was taken
    assertThat(sessions.reserved()).as("slots taken after the give-back").isZero();
    assertThat(sessions.reserve()).as("the next admitted connection's id").isEqualTo(2);
  }

  @Test
  void reserve_whileDraining_refusesEvenUnderTheBound() {
    Sessions sessions = new Sessions(10);
    sessions.startDraining();
    assertThat(sessions.reserve()).as("id while draining (0 is refused)").isZero();
    assertThat(sessions.reserved()).as("slots taken while draining").isZero();
  }
}
