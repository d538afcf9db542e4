package dev.keel.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The topics one connection holds. Touched on the connection's event loop only, so it needs no
 * synchronisation; and most connections hold one topic, which costs no object beyond this one (a
 * concurrent set cost about 170 bytes on every connection).
 */
final class TopicSet {
  private String first;
  /** The others; null rather than empty. */
  private HashSet<String> rest;

  boolean contains(String topic) {
    return topic.equals(first) || (rest != null && rest.contains(topic));
  }

  /** Adds {@code topic}; false if it was already there. */
  boolean add(String topic) {
    if (contains(topic)) {
      return false;
    }
    if (first == null) {
      first = topic;
    } else {
      if (rest == null) {
        rest = new HashSet<>(4);
      }
      rest.add(topic);
    }
    return true;
  }

  /** Removes {@code topic}; false if it was not there. */
  boolean remove(String topic) {
    if (topic.equals(first)) {
      first = null;
      if (rest != null) {
        first = rest.iterator().next(); // promote one of the others
        removeFromRest(first);
      }
      return true;
    }
    return rest != null && removeFromRest(topic);
  }

  private boolean removeFromRest(String topic) {
    boolean removed = rest.remove(topic);
    if (rest.isEmpty()) {
      rest = null;
    }
    return removed;
  }

  int size() {
    return (first == null ? 0 : 1) + (rest == null ? 0 : rest.size());
  }

  /** A copy, so that callers may change the set while they walk it. */
  List<String> toList() {
    List<String> all = new ArrayList<>(size());
    if (first != null) {
      all.add(first);
    }
    if (rest != null) {
      all.addAll(rest);
    }
    return all;
  }

  void clear() {
    first = null;
    rest = null;
  }
}
