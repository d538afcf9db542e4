package dev.keel.testing;

import java.util.ServiceLoader;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding every test JVM starts with ({@code -Dslf4j.provider=dev.keel.testing.LogGuardProvider},
 * set in keel-parent's test arguments): it finds the module's real binding (slf4j-simple for the library
 * modules, logback for keel-server) through the service loader, and hands out its loggers wrapped in
 * {@link LogGuard}'s, which note every stack trace logged at WARN or above and every Netty
 * "reached at the tail of the pipeline" warning. Netty's own loggers come through here too: its
 * {@code InternalLoggerFactory} picks SLF4J when SLF4J is present.
 */
public final class LogGuardProvider implements SLF4JServiceProvider {
  private final SLF4JServiceProvider real;
  private ILoggerFactory factory;

  /** Found now: SLF4J asks for the MDC adapter before it calls {@link #initialize()}. */
  public LogGuardProvider() {
    SLF4JServiceProvider found = null;
    for (SLF4JServiceProvider p : ServiceLoader.load(SLF4JServiceProvider.class)) {
      if (!(p instanceof LogGuardProvider)) {
        found = p;
        break;
      }
    }
    if (found == null) {
      throw new IllegalStateException("LogGuardProvider found no SLF4J binding to wrap on the test class path");
    }
    real = found;
  }

  @Override
  public void initialize() {
    real.initialize();
    ILoggerFactory inner = real.getLoggerFactory();
    factory = name -> LogGuard.wrap(inner.getLogger(name));
    LogGuard.activate(inner);
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return real.getMarkerFactory();
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return real.getMDCAdapter();
  }

  @Override
  public String getRequestedApiVersion() {
    return real.getRequestedApiVersion();
  }
}
