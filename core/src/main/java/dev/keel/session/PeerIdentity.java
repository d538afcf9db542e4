package dev.keel.session;

import java.time.Instant;

/**
 * Who the peer of a connection is, once something above the connection layer has verified it (the
 * connect-token gate in {@code dev.keel.auth}). The session only holds it, for the application to
 * read from any thread; it does not know how it was proved.
 */
public interface PeerIdentity {
  String subject();

  /** When the proof expires (the gate closes the connection then, unless it is refreshed). */
  Instant expiresAt();

  boolean maySubscribe(String topic);

  boolean mayPublish(String topic);
}
