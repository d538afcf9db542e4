package dev.keel.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The test-tier log rule, beside the LEAK check: a server under test must never log a stack trace at
 * WARN or above (bad input gets a documented error, and the rate-limited close log says why in one
 * line), and Netty must never report an exception that "reached at the tail of the pipeline" (a
 * pipeline without a handler for it). {@link LogGuardProvider} wraps every SLF4J logger of the test
 * JVM, whatever the binding; {@link LogGuardExtension} fails each test class that produced a report.
 *
 * <p>A test that provokes such a line on purpose says so: {@code Allowance a = LogGuard.allow(e ->
 * e.logger().equals("dev.keel.api.LiveConnection"));} ... {@code a.close();}
 */
public final class LogGuard {
  /** One logged event the rule looks at. */
  public record Event(String logger, Level level, String message, Throwable thrown) {
    @Override
    public String toString() {
      return level + " " + logger + " - " + message + (thrown == null ? "" : "\n  " + thrown);
    }
  }

  private static final List<Event> REPORTS = new CopyOnWriteArrayList<>();
  private static final List<Event> RECENT = new CopyOnWriteArrayList<>();
  private static final List<Predicate<Event>> ALLOWED = new CopyOnWriteArrayList<>();
  private static final Map<String, Logger> WRAPPED = new ConcurrentHashMap<>();
  private static volatile ILoggerFactory inner;
  private static volatile boolean recording;

  private LogGuard() {}

  static void activate(ILoggerFactory real) {
    inner = real;
  }

  /** Whether the guard wraps this JVM's loggers (the test JVM was started with the provider). */
  public static boolean active() {
    return inner != null;
  }

  /** The logger the binding itself made (a logback {@code Logger}, say), for a test that adds an appender. */
  public static Object unwrap(Logger logger) {
    return logger instanceof Guarded g ? g.delegate : logger;
  }

  /** The binding's own logger factory (logback's {@code LoggerContext}, say), or null when inactive. */
  public static ILoggerFactory bindingFactory() {
    return inner;
  }

  /** Reports (stack traces at WARN+, tail-of-pipeline warnings) since the last {@link #clear()}. */
  public static List<Event> reports() {
    return REPORTS;
  }

  public static void clear() {
    REPORTS.clear();
  }

  /**
   * Keeps every WARN+ event (with or without a stack trace) until the returned handle is closed, for a
   * test that counts what was logged.
   */
  public static Recording record() {
    RECENT.clear();
    recording = true;
    return new Recording();
  }

  /** A test's window of recorded WARN+ events. */
  public static final class Recording implements AutoCloseable {
    private Recording() {}

    public List<Event> events() {
      return new ArrayList<>(RECENT);
    }

    @Override
    public void close() {
      recording = false;
      RECENT.clear();
    }
  }

  /** Lets events matching {@code expected} through without a report until the handle is closed. */
  public static Allowance allow(Predicate<Event> expected) {
    ALLOWED.add(expected);
    return new Allowance(expected);
  }

  /** An allowance in force until closed. */
  public static final class Allowance implements AutoCloseable {
    private final Predicate<Event> expected;

    private Allowance(Predicate<Event> expected) {
      this.expected = expected;
    }

    @Override
    public void close() {
      ALLOWED.remove(expected);
    }
  }

  static Logger wrap(Logger real) {
    return WRAPPED.computeIfAbsent(real.getName(), n -> new Guarded(real));
  }

  static void seen(Event e) {
    if (recording) {
      RECENT.add(e);
    }
    boolean tail = e.message() != null && e.message().contains("reached at the tail of the pipeline");
    if ((e.thrown() != null || tail) && ALLOWED.stream().noneMatch(p -> p.test(e))) {
      REPORTS.add(e);
    }
  }

  /** Passes every call to the binding's logger, looking at WARN and ERROR on the way. */
  private static final class Guarded extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient Logger delegate;

    Guarded(Logger delegate) {
      this.delegate = delegate;
      this.name = delegate.getName();
    }

    @Override
    public boolean isTraceEnabled() {
      return delegate.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
      return delegate.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
      return delegate.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
      return delegate.isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
      return delegate.isErrorEnabled();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return Guarded.class.getName();
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
        Throwable thrown) {
      if (level == Level.WARN || level == Level.ERROR) {
        seen(new Event(name, level, MessageFormatter.basicArrayFormat(pattern, args), thrown));
      }
      Object[] all = args;
      if (thrown != null) {
        all = args == null ? new Object[] {thrown} : java.util.Arrays.copyOf(args, args.length + 1);
        all[all.length - 1] = thrown;
      } else if (all == null) {
        all = new Object[0];
      }
      switch (level) {
        case ERROR -> delegate.error(marker, pattern, all);
        case WARN -> delegate.warn(marker, pattern, all);
        case INFO -> delegate.info(marker, pattern, all);
        case DEBUG -> delegate.debug(marker, pattern, all);
        case TRACE -> delegate.trace(marker, pattern, all);
      }
    }
  }
}
