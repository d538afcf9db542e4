package dev.keel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicPatternsTest {
  @Test
  void star_matchesExactlyOneSegment() {
    TopicPatterns p = TopicPatterns.of(List.of("news.*"));
    assertThat(p.allows("news.eu")).isTrue();
    assertThat(p.allows("news")).as("zero segments").isFalse();
    assertThat(p.allows("news.eu.fr")).as("two segments").isFalse();
    assertThat(p.allows("sports.eu")).isFalse();
  }

  @Test
  void greaterThan_matchesOneOrMoreRemainingSegments() {
    TopicPatterns p = TopicPatterns.of(List.of("user.42.>"));
    assertThat(p.allows("user.42.inbox")).isTrue();
    assertThat(p.allows("user.42.a.b.c")).isTrue();
    assertThat(p.allows("user.42")).as("nothing after the prefix").isFalse();
    assertThat(p.allows("user.43.inbox")).isFalse();
  }

  @Test
  void literalsAndSeveralPatterns() {
    TopicPatterns p = TopicPatterns.of(List.of("chat.lobby", "chat.room-*", "a.*.c"));
    assertThat(p.allows("chat.lobby")).isTrue();
    assertThat(p.allows("chat.room-1")).as("* is a whole segment, not a glob").isFalse();
    assertThat(p.allows("a.b.c")).isTrue();
    assertThat(p.allows("a.b.d")).isFalse();
    assertThat(TopicPatterns.none().allows("anything")).isFalse();
    assertThat(TopicPatterns.of(List.of(">")).allows("any.thing")).as("> alone allows every topic").isTrue();
  }

  @Test
  void greaterThanOnlyLast() {
    assertThatThrownBy(() -> TopicPatterns.of(List.of("a.>.b"))).hasMessageContaining("'>'");
    assertThatThrownBy(() -> TopicPatterns.of(List.of("a>"))).hasMessageContaining("'>'");
  }
}
