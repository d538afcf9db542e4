package dev.keel.load.scenario;

import dev.keel.load.measure.Latency;
import dev.keel.load.probe.MemorySample;

/**
 * One sample of a run, taken every {@code --sample-interval}: the client's counters (totals so far),
 * the latency of the interval just ended, and the server's reading (null when there is none).
 */
public record Point(double tSeconds, long clientConnections, long sent, long delivered, long gaps,
                    long serverCuts, Latency.Snapshot latency, MemorySample server) {}
