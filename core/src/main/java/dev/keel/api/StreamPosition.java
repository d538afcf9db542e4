package dev.keel.api;

/**
 * A position in a topic's stream, as a client last saw it: the stream's {@code epoch} and the last
 * {@code seq} received. A null epoch asks only for the current position (a first subscription).
 *
 * <p>Usage: {@code topics.subscribe(c, "news", new StreamPosition(epoch, lastSeq), r -> reply(r))}
 */
public record StreamPosition(String epoch, long seq) {}
