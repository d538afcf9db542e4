package dev.keel.session;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Marks an HTTP connection that the server has refused at accept (per-address limits): its first
 * request, whatever it is, is answered 503 and the connection closed. HTTP must read a request before
 * it can answer one, so the refusal waits for it (bounded by the handshake timeout).
 */
public final class Admission {
  private static final AttributeKey<CloseCause> REFUSED = AttributeKey.valueOf("keel.refused");

  private Admission() {}

  public static void refuse(Channel ch, CloseCause reason) {
    ch.attr(REFUSED).set(reason);
  }

  /** Why this connection was refused, or null if it was admitted. */
  public static CloseCause refusal(Channel ch) {
    return ch.attr(REFUSED).get();
  }
}
