package dev.keel.session;

/**
 * What the layer above holds for a connection, for the memory budget's view of it: a session's
 * attachment may implement this (the embedding API's connection does: its handler's inbound queue).
 */
public interface Held {
  /** Bytes held now, as the budget counts them; any thread may ask. */
  long heldBytes();
}
