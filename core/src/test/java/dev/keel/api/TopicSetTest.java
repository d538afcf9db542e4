package dev.keel.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicSetTest {
  @Test
  void addContainsRemove_fromNoneToOneToSeveralAndBack() {
    Object held = null;
    assertThat(TopicSet.contains(held, "a")).as("none held").isFalse();
    held = TopicSet.with(held, "a");
    assertThat(held).as("one topic is held as its name, no object of its own").isEqualTo("a");
    assertThat(TopicSet.contains(held, "a")).isTrue();
    held = TopicSet.with(held, "b");
    held = TopicSet.with(held, "c");
    assertThat(TopicSet.size(held)).isEqualTo(3);

    held = TopicSet.without(held, "a");
    assertThat(TopicSet.contains(held, "a")).as("after removing a").isFalse();
    assertThat(TopicSet.toList(held)).as("what is left").containsExactlyInAnyOrder("b", "c");
    assertThat(TopicSet.without(held, "a")).as("removing what is not there changes nothing").isSameAs(held);

    held = TopicSet.without(held, "c");
    assertThat(held).as("down to one: its name again").isEqualTo("b");
    held = TopicSet.without(held, "x");
    assertThat(held).as("removing another name from one").isEqualTo("b");
    held = TopicSet.without(held, "b");
    assertThat(held).as("empty").isNull();
    assertThat(TopicSet.size(held)).isZero();
    assertThat(TopicSet.toList(held)).isEmpty();
    held = TopicSet.with(held, "d");
    assertThat(TopicSet.toList(held)).as("usable again").containsExactly("d");
  }
}
