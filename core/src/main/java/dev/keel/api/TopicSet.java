package dev.keel.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The topics one connection holds, kept as the value of one field of its {@link LiveConnection}: null
 * for none, the topic's name for one, a set for more. Most connections hold one topic, which then costs
 * no object at all (a set object of its own cost every connection 24 bytes; a concurrent set, about 170).
 * Touched on the connection's event loop only, so it needs no synchronisation.
 */
final class TopicSet {
  private TopicSet() {}

  static boolean contains(Object held, String topic) {
    if (held instanceof String one) {
      return one.equals(topic);
    }
    return held != null && set(held).contains(topic);
  }

  /** {@code held} with {@code topic} added; call only when it is not there yet. */
  static Object with(Object held, String topic) {
    if (held == null) {
      return topic;
    }
    if (held instanceof String one) {
      HashSet<String> several = new HashSet<>(4);
      several.add(one);
      several.add(topic);
      return several;
    }
    set(held).add(topic);
    return held;
  }

  /** {@code held} without {@code topic} (the same value if it was not there). */
  static Object without(Object held, String topic) {
    if (held instanceof String one) {
      return one.equals(topic) ? null : held;
    }
    if (held == null) {
      return null;
    }
    HashSet<String> several = set(held);
    several.remove(topic);
    return several.size() == 1 ? several.iterator().next() : several; // back to no object for one
  }

  static int size(Object held) {
    if (held == null) {
      return 0;
    }
    return held instanceof String ? 1 : set(held).size();
  }

  /** A copy, so that callers may change the connection's topics while they walk it. */
  static List<String> toList(Object held) {
    List<String> all = new ArrayList<>(size(held));
    if (held instanceof String one) {
      all.add(one);
    } else if (held != null) {
      all.addAll(set(held));
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  private static HashSet<String> set(Object held) {
    return (HashSet<String>) held;
  }
}
