package dev.keel.session;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Marks an HTTP connection that the server has refused at accept (per-address limits): its first
 * request, whatever it is, is answered 503 and the connection closed. HTTP must read a request before
 * it can answer one, so the refusal waits for it (bounded by the handshake timeout).
 */
public final class Admission {
  /** Why a connection was refused, and the sentence its 503 says (which limit, which address). */
  public record Refusal(CloseCause reason, String message) {}

  private static final AttributeKey<Refusal> REFUSED = AttributeKey.valueOf("keel.refused");

  private Admission() {}

  public static void refuse(Channel ch, CloseCause reason, String message) {
    ch.attr(REFUSED).set(new Refusal(reason, message));
  }

  /** Why this connection was refused, or null if it was admitted. */
  public static Refusal refusal(Channel ch) {
    // hasAttr first: attr() would make an empty attribute, held for the connection's life (48 B of an
    // idle connection's heap), on every connection that was admitted.
    return ch.hasAttr(REFUSED) ? ch.attr(REFUSED).get() : null;
  }
}
