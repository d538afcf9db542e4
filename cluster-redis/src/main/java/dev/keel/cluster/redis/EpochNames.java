package dev.keel.cluster.redis;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Candidate epochs a node hands to the scripts (which use one only when they start a new generation):
 * a random prefix per process and a counter, so that no two nodes, and no restart of one, ever offer
 * the same name. Short: it travels in every message on the channel and every {@code subscribed} reply.
 *
 * <p>Usage: {@code RedisWire.publishArgs(data, size, ttl, EpochNames.next())}
 */
final class EpochNames {
  private static final String PROCESS = "r" + Long.toString(new SecureRandom().nextLong() >>> 12, 36);
  private static final AtomicLong COUNTER = new AtomicLong();

  private EpochNames() {}

  static String next() {
    return PROCESS + "-" + Long.toString(COUNTER.incrementAndGet(), 36);
  }
}
