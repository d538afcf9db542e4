package dev.keel.api;

/**
 * What a subscription with a {@link StreamPosition} found: the topic stream's epoch and last seq now
 * (live messages continue after it), whether recovery was attempted, whether the missed messages
 * follow, and if not, why.
 *
 * <p>Usage: {@code if (r.attempted() && !r.recovered()) resyncFromSourceOfTruth(r.reason());}
 *
 * @param reason null when recovered or not attempted; else {@code epoch_changed}, {@code too_far_behind},
 *     {@code expired}, {@code no_history}, {@code unknown_position}, {@code unavailable} (cluster mode: Redis
 *     could not be read), {@code already_subscribed}, or {@code pending} (see {@link Topics})
 */
public record Recovery(String epoch, long seq, boolean attempted, boolean recovered, String reason) {}
