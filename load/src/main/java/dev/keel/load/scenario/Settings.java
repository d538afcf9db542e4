package dev.keel.load.scenario;

import dev.keel.load.client.Target;
import dev.keel.load.client.Transport;
import dev.keel.load.measure.Thresholds;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every scenario needs to know, from the command line.
 *
 * @param duration how long the scenario's main phase runs; every phase is bounded by it or a stated timeout
 * @param sampleInterval how often the server and the counters are sampled
 * @param settle after the clients have gone, how long to wait for the server to count zero connections
 * @param connectTimeout how long opening one connection may take
 * @param maxConnections the most connections the tool holds at once (file descriptors)
 */
public record Settings(
    String scenario,
    Target target,
    Transport transport,
    URI adminUrl,
    String adminToken,
    Long serverPid,
    int ioThreads,
    int sourceAddresses,
    Duration duration,
    Duration sampleInterval,
    Duration settle,
    Duration connectTimeout,
    int maxConnections,
    int maxInflightConnects,
    Thresholds thresholds,
    Path jsonOut,
    Path htmlOut,
    boolean quiet) {}
