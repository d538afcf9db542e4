package dev.keel.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicSetTest {
  @Test
  void addContainsRemove_acrossTheFirstSlotAndTheRest() {
    TopicSet s = new TopicSet();
    assertThat(s.add("a")).as("first add").isTrue();
    assertThat(s.add("a")).as("second add of the same").isFalse();
    assertThat(s.add("b")).isTrue();
    assertThat(s.add("c")).isTrue();
    assertThat(s.size()).isEqualTo(3);

    assertThat(s.remove("a")).as("remove the first; another takes its place").isTrue();
    assertThat(s.contains("a")).isFalse();
    assertThat(s.toList()).as("what is left").containsExactlyInAnyOrder("b", "c");
    assertThat(s.remove("a")).as("remove again").isFalse();

    assertThat(s.remove("c")).isTrue();
    assertThat(s.remove("b")).isTrue();
    assertThat(s.size()).as("empty").isZero();
    assertThat(s.remove("b")).as("remove from empty").isFalse();
    assertThat(s.add("d")).as("usable again").isTrue();
    assertThat(s.toList()).containsExactly("d");
  }
}
