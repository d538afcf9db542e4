package dev.keel.fanout;

/**
 * Where a subscriber's stream stood: the topic's epoch and the last seq it saw. A null epoch asks only
 * for the current position (a first subscription), recovering nothing.
 */
public record Position(String epoch, long seq) {}
