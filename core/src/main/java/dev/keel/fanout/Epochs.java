package dev.keel.fanout;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Epoch names: a random prefix per process and a counter, so that a restarted server never reuses an
 * epoch its clients saw (the prefix) and a topic that came back in the same process gets a new one
 * (the counter). Short: it travels in every {@code subscribed} reply.
 */
final class Epochs {
  private static final String PROCESS = Long.toString(new SecureRandom().nextLong() >>> 16, 36);
  private static final AtomicLong COUNTER = new AtomicLong();

  private Epochs() {}

  static String next() {
    return PROCESS + "-" + Long.toString(COUNTER.incrementAndGet(), 36);
  }
}
