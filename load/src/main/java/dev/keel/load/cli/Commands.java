package dev.keel.load.cli;

import dev.keel.load.scenario.AbuseScenario;
import dev.keel.load.scenario.BroadcastScenario;
import dev.keel.load.scenario.ChurnScenario;
import dev.keel.load.scenario.IdleScenario;
import dev.keel.load.scenario.RampScenario;
import dev.keel.load.scenario.Runner;
import dev.keel.load.scenario.Scenario;
import dev.keel.load.scenario.Settings;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The five scenarios as picocli subcommands; each builds its scenario and hands it to the {@link Runner}. */
final class Commands {
  private Commands() {}

  abstract static class Base implements Callable<Integer> {
    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    abstract Duration duration();

    abstract int plannedConnections();

    abstract Scenario scenario();

    // The streams the tool was started with (the test harness passes its own).
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
      Settings settings;
      Scenario scenario;
      try {
        settings = common.settings(spec.name(), duration(), plannedConnections());
        scenario = scenario();
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("keel load: " + e.getMessage());
        return 2;
      }
      return new Runner(settings, out, err).run(scenario);
    }
  }

  @Command(name = "idle", mixinStandardHelpOptions = true, version = LoadCommand.VERSION,
      description = "Open N connections, subscribe each to a topic, hold them; report the server's memory per connection.")
  static final class Idle extends Base {
    @Option(names = {"-n", "--connections"}, defaultValue = "1000", description = "Connections. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--topics", defaultValue = "1", description = "Topics, spread round-robin. Default: ${DEFAULT-VALUE}.")
    int topics;

    @Option(names = "--duration", defaultValue = "30s", converter = Units.DurationConverter.class,
        description = "How long to hold them. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Override
    Duration duration() {
      return duration;
    }

    @Override
    int plannedConnections() {
      return connections;
    }

    @Override
    Scenario scenario() {
      Common.require(connections >= 1, "--connections must be at least 1, was " + connections);
      Common.require(topics >= 1, "--topics must be at least 1, was " + topics);
      return new IdleScenario(connections, topics);
    }
  }

  @Command(name = "broadcast", mixinStandardHelpOptions = true, version = LoadCommand.VERSION,
      description = "Fast, stalled and slow subscribers of one topic; publishers at a total rate.")
  static final class Broadcast extends Base {
    @Option(names = {"-n", "--subscribers"}, defaultValue = "100", description = "Fast subscribers. Default: ${DEFAULT-VALUE}.")
    int fast;

    @Option(names = "--stalled", defaultValue = "0", description = "Stalled subscribers (tiny receive buffer, never read). Default: ${DEFAULT-VALUE}.")
    int stalled;

    @Option(names = "--slow", defaultValue = "0", description = "Slow readers. Default: ${DEFAULT-VALUE}.")
    int slow;

    @Option(names = "--slow-read-rate", defaultValue = "1KiB", converter = Units.SizeConverter.class,
        description = "Bytes per second each slow reader takes. Default: ${DEFAULT-VALUE}.")
    long slowReadRate;

    @Option(names = {"-p", "--publishers"}, defaultValue = "1", description = "Publishers. Default: ${DEFAULT-VALUE}.")
    int publishers;

    @Option(names = {"-r", "--rate"}, defaultValue = "100", description = "Messages per second, all publishers together. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = {"-b", "--size"}, defaultValue = "512", converter = Units.SizeConverter.class,
        description = "Bytes of each message's data. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--stalled-receive-buffer", defaultValue = "4KiB", converter = Units.SizeConverter.class,
        description = "SO_RCVBUF of stalled and slow subscribers. Default: ${DEFAULT-VALUE}.")
    long receiveBuffer;

    @Option(names = "--drain-timeout", defaultValue = "10s", converter = Units.DurationConverter.class,
        description = "After publishing stops, how long fast subscribers may take to catch up. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--warmup-time", defaultValue = "0s", converter = Units.DurationConverter.class,
        description = "Publish at the rate this long first, left out of every figure (JIT warm-up). Default: ${DEFAULT-VALUE}.")
    Duration warmupTime;

    @Option(names = "--duration", defaultValue = "30s", converter = Units.DurationConverter.class,
        description = "How long to publish. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Override
    Duration duration() {
      return duration;
    }

    @Override
    int plannedConnections() {
      return fast + stalled + slow + publishers;
    }

    @Override
    Scenario scenario() {
      Common.require(fast >= 1, "--subscribers must be at least 1, was " + fast);
      Common.require(stalled >= 0 && slow >= 0, "--stalled and --slow must be at least 0");
      Common.require(publishers >= 1, "--publishers must be at least 1, was " + publishers);
      Common.require(rate > 0 && rate <= 1_000_000, "--rate must be in (0, 1000000], was " + rate);
      Common.require(size >= 32 && size <= 16 * 1024 * 1024, "--size must be 32 bytes..16MiB, was " + size);
      return new BroadcastScenario(new BroadcastScenario.Params(fast, stalled, slow, (int) slowReadRate, publishers,
          rate, (int) size, (int) receiveBuffer, drainTimeout.toMillis(), warmupTime.toMillis()));
    }
  }

  @Command(name = "churn", mixinStandardHelpOptions = true, version = LoadCommand.VERSION,
      description = "Keep N connections alive while each lives a random time and is replaced; mixed endings; leak verdict.")
  static final class Churn extends Base {
    @Option(names = {"-n", "--connections"}, defaultValue = "1000", description = "Connections kept alive. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--lifetime", defaultValue = "1s..10s", description = "Range of a connection's lifetime, MIN..MAX. Default: ${DEFAULT-VALUE}.")
    String lifetime;

    @Option(names = "--mix", defaultValue = "close=40,reset=30,silent=15,stall=15",
        description = "Weights of the ways a connection ends. Default: ${DEFAULT-VALUE}.")
    String mix;

    @Option(names = "--silent-limit", defaultValue = "75s", converter = Units.DurationConverter.class,
        description = "How long a silent connection waits for the server's idle timeout before it resets. Default: ${DEFAULT-VALUE}.")
    Duration silentLimit;

    @Option(names = "--stall-limit", defaultValue = "30s", converter = Units.DurationConverter.class,
        description = "How long a stalled connection leaves its data unread before looking for the server's cut. Default: ${DEFAULT-VALUE}.")
    Duration stallLimit;

    @Option(names = "--stall-rate", defaultValue = "20", description = "Messages per second published to the stalled connections' topic. Default: ${DEFAULT-VALUE}.")
    double stallRate;

    @Option(names = {"-b", "--size"}, defaultValue = "1KiB", converter = Units.SizeConverter.class,
        description = "Bytes of each of those messages' data. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--stalled-receive-buffer", defaultValue = "4KiB", converter = Units.SizeConverter.class,
        description = "SO_RCVBUF of connections that will stall. Default: ${DEFAULT-VALUE}.")
    long receiveBuffer;

    @Option(names = "--topics", defaultValue = "100", description = "Topics the other connections subscribe to. Default: ${DEFAULT-VALUE}.")
    int topics;

    @Option(names = "--duration", defaultValue = "60s", converter = Units.DurationConverter.class,
        description = "How long to churn. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Override
    Duration duration() {
      return duration;
    }

    @Override
    int plannedConnections() {
      return connections + 1;
    }

    @Override
    Scenario scenario() {
      Common.require(connections >= 1, "--connections must be at least 1, was " + connections);
      Common.require(topics >= 1, "--topics must be at least 1, was " + topics);
      Common.require(stallRate > 0, "--stall-rate must be > 0, was " + stallRate);
      String[] range = lifetime.split("\\.\\.");
      Common.require(range.length == 2, "--lifetime must be MIN..MAX (e.g. 1s..10s), was " + lifetime);
      return new ChurnScenario(new ChurnScenario.Params(connections, Units.duration(range[0]), Units.duration(range[1]),
          weights(mix), silentLimit, stallLimit, stallRate, (int) size, (int) receiveBuffer, topics));
    }

    static int[] weights(String mix) {
      int[] w = new int[4];
      for (String part : mix.split(",")) {
        String[] kv = part.trim().split("=");
        Common.require(kv.length == 2, "--mix: '" + part + "' is not NAME=WEIGHT");
        int i = switch (kv[0].trim()) {
          case "close" -> 0;
          case "reset" -> 1;
          case "silent" -> 2;
          case "stall" -> 3;
          default -> throw new IllegalArgumentException("--mix: unknown ending '" + kv[0] + "': use close, reset, silent, stall");
        };
        try {
          w[i] = Integer.parseInt(kv[1].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--mix: '" + kv[1] + "' is not a whole number");
        }
      }
      return w;
    }
  }

  @Command(name = "abuse", mixinStandardHelpOptions = true, version = LoadCommand.VERSION,
      description = "Misbehaving peers; report what the server answered to each and that it stayed up.")
  static final class Abuse extends Base {
    @Option(names = "--max-message-size", defaultValue = "64KiB", converter = Units.SizeConverter.class,
        description = "The server's --max-message-size (the oversized probe sends one byte more). Default: ${DEFAULT-VALUE}.")
    long maxMessageSize;

    @Option(names = "--flood", defaultValue = "1000", description = "Pings the flood probe sends at once. Default: ${DEFAULT-VALUE}.")
    int flood;

    @Option(names = "--probe-timeout", defaultValue = "15s", converter = Units.DurationConverter.class,
        description = "How long each probe waits for the server (longer than its --idle-timeout to see that one end). Default: ${DEFAULT-VALUE}.")
    Duration probeTimeout;

    @Override
    Duration duration() {
      return probeTimeout.plusSeconds(30);
    }

    @Override
    int plannedConnections() {
      return 16;
    }

    @Override
    Scenario scenario() {
      Common.require(flood >= 1 && flood <= 100_000, "--flood must be 1..100000, was " + flood);
      Common.require(maxMessageSize >= 1 && maxMessageSize < Integer.MAX_VALUE - 1, "--max-message-size out of range");
      return new AbuseScenario(new AbuseScenario.Params((int) maxMessageSize, flood, probeTimeout));
    }
  }

  @Command(name = "ramp", mixinStandardHelpOptions = true, version = LoadCommand.VERSION,
      description = "Raise the publish rate step by step until p99 passes the limit or a message is lost.")
  static final class Ramp extends Base {
    @Option(names = {"-n", "--subscribers"}, defaultValue = "2000", description = "Fast subscribers. Default: ${DEFAULT-VALUE}.")
    int fast;

    @Option(names = "--stalled", defaultValue = "100", description = "Stalled subscribers. Default: ${DEFAULT-VALUE}.")
    int stalled;

    @Option(names = {"-b", "--size"}, defaultValue = "512", converter = Units.SizeConverter.class,
        description = "Bytes of each message's data. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--start-rate", defaultValue = "10", description = "Messages per second of the first step. Default: ${DEFAULT-VALUE}.")
    double startRate;

    @Option(names = "--step-factor", defaultValue = "1.25", description = "Each step's rate is the last one's times this. Default: ${DEFAULT-VALUE}.")
    double factor;

    @Option(names = "--max-rate", defaultValue = "100000", description = "Stop below this publish rate. Default: ${DEFAULT-VALUE}.")
    double maxRate;

    @Option(names = "--max-steps", defaultValue = "40", description = "Stop after this many steps. Default: ${DEFAULT-VALUE}.")
    int maxSteps;

    @Option(names = "--step-duration", defaultValue = "10s", converter = Units.DurationConverter.class,
        description = "How long each step publishes. Default: ${DEFAULT-VALUE}.")
    Duration stepDuration;

    @Option(names = "--p99-limit", defaultValue = "100ms", converter = Units.DurationConverter.class,
        description = "A step holds while fast subscribers' p99 stays under this. Default: ${DEFAULT-VALUE}.")
    Duration p99Limit;

    @Option(names = "--per-publisher-rate", defaultValue = "150",
        description = "Most messages per second from one publisher (keep under the server's --rate-limit). Default: ${DEFAULT-VALUE}.")
    double perPublisherRate;

    @Option(names = "--stalled-receive-buffer", defaultValue = "4KiB", converter = Units.SizeConverter.class,
        description = "SO_RCVBUF of stalled subscribers. Default: ${DEFAULT-VALUE}.")
    long receiveBuffer;

    @Option(names = "--drain-timeout", defaultValue = "5s", converter = Units.DurationConverter.class,
        description = "After each step, how long fast subscribers may take to catch up. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--warmup-time", defaultValue = "0s", converter = Units.DurationConverter.class,
        description = "Publish at the start rate this long first, left out of every step (JIT warm-up). Default: ${DEFAULT-VALUE}.")
    Duration warmupTime;

    @Option(names = "--duration", defaultValue = "15m", converter = Units.DurationConverter.class,
        description = "No step starts after this. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Override
    Duration duration() {
      return duration;
    }

    @Override
    int plannedConnections() {
      return fast + stalled + (int) Math.ceil(maxRate / Math.max(1, perPublisherRate));
    }

    @Override
    Scenario scenario() {
      Common.require(fast >= 1, "--subscribers must be at least 1, was " + fast);
      Common.require(startRate > 0 && factor > 1, "--start-rate must be > 0 and --step-factor > 1");
      Common.require(maxSteps >= 1 && maxSteps <= 1000, "--max-steps must be 1..1000, was " + maxSteps);
      Common.require(perPublisherRate > 0, "--per-publisher-rate must be > 0");
      Common.require(size >= 32 && size <= 16 * 1024 * 1024, "--size must be 32 bytes..16MiB, was " + size);
      return new RampScenario(new RampScenario.Params(fast, stalled, (int) receiveBuffer, (int) size, startRate, factor,
          maxRate, maxSteps, stepDuration.toMillis() / 1000.0, p99Limit.toMillis(), perPublisherRate,
          drainTimeout.toMillis(), warmupTime.toMillis()));
    }
  }
}
