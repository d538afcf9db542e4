package dev.keel.spi;

import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongConsumer;

/**
 * Meters that extensions define, kept until an exporter (the admin module's Prometheus registry)
 * binds them. Without an exporter they cost a list entry and, for timers, a no-op call.
 *
 * <p>Usage: {@code host.meters().gauge("keel_redis_up", "1 while connected", () -> up ? 1 : 0)}
 */
public interface Meters {
  /** What kind of meter a {@link Meter} is. */
  enum Kind { GAUGE, COUNTER, TIMER }

  /**
   * One defined meter. Gauges and counters are read through {@code value}; a timer is recorded
   * through the consumer {@link #timer} returned, and forwards to {@link #bind}'s sink once bound.
   */
  final class Meter {
    private final Kind kind;
    private final String name;
    private final String help;
    private final DoubleSupplier value;
    private volatile LongConsumer sink = n -> { };

    Meter(Kind kind, String name, String help, DoubleSupplier value) {
      this.kind = kind;
      this.name = name;
      this.help = help;
      this.value = value;
    }

    public Kind kind() {
      return kind;
    }

    public String name() {
      return name;
    }

    public String help() {
      return help;
    }

    /** The current value of a gauge or counter (NaN for a timer). */
    public double value() {
      return value == null ? Double.NaN : value.getAsDouble();
    }

    /** Where a timer's recordings (nanoseconds) go from now on. */
    public void bind(LongConsumer sink) {
      this.sink = sink;
    }

    void record(long nanos) {
      sink.accept(nanos);
    }
  }

  /** A level read at export time. */
  void gauge(String name, String help, DoubleSupplier value);

  /** A running total read at export time. */
  void counter(String name, String help, DoubleSupplier total);

  /** A latency distribution; record nanoseconds into the returned consumer. */
  LongConsumer timer(String name, String help);

  /** Every meter defined so far. */
  List<Meter> all();

  /** A thread-safe list of meters, the implementation a host uses. */
  static Meters create() {
    return new Meters() {
      private final List<Meter> meters = new java.util.concurrent.CopyOnWriteArrayList<>();

      @Override
      public void gauge(String name, String help, DoubleSupplier value) {
        meters.add(new Meter(Kind.GAUGE, name, help, value));
      }

      @Override
      public void counter(String name, String help, DoubleSupplier total) {
        meters.add(new Meter(Kind.COUNTER, name, help, total));
      }

      @Override
      public LongConsumer timer(String name, String help) {
        Meter m = new Meter(Kind.TIMER, name, help, null);
        meters.add(m);
        return m::record;
      }

      @Override
      public List<Meter> all() {
        return List.copyOf(meters);
      }
    };
  }
}
