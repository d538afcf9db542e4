package dev.keel.auth;

import java.util.List;

/**
 * Topic permissions as NATS-style patterns over dot-separated segments: {@code *} matches exactly
 * one segment, {@code >} (last only) matches one or more remaining segments. {@code news.*} allows
 * {@code news.eu} but not {@code news} or {@code news.eu.fr}; {@code user.42.>} allows
 * {@code user.42.inbox} and {@code user.42.a.b}.
 */
public final class TopicPatterns {
  private final List<String[]> patterns;

  private TopicPatterns(List<String[]> patterns) {
    this.patterns = patterns;
  }

  public static TopicPatterns of(List<String> patterns) {
    for (String p : patterns) {
      int gt = p.indexOf('>');
      if (p.isEmpty() || (gt >= 0 && (gt != p.length() - 1 || (gt > 0 && p.charAt(gt - 1) != '.')))) {
        throw new IllegalArgumentException("bad topic pattern '" + p + "': '>' may only stand as the last segment");
      }
    }
    return new TopicPatterns(patterns.stream().map(p -> p.split("\\.", -1)).toList());
  }

  public static TopicPatterns none() {
    return new TopicPatterns(List.of());
  }

  public boolean allows(String topic) {
    String[] t = topic.split("\\.", -1);
    for (String[] p : patterns) {
      if (matches(p, t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String[] p, String[] t) {
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals(">")) {
        return t.length > i; // one or more segments left
      }
      if (i >= t.length || !(p[i].equals("*") || p[i].equals(t[i]))) {
        return false;
      }
    }
    return p.length == t.length;
  }
}
