package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class of every module (META-INF/services, like the LEAK check): fails a
 * class during which a server logged a stack trace at WARN or above, or Netty reported an exception
 * that reached the tail of a pipeline ({@link LogGuard}). Also fails when the guard is not installed,
 * so that a JVM started without it cannot pass for a clean run.
 */
public final class LogGuardExtension implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    LogGuard.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context.getDisplayName());
  }

  /** The rule, for a container the JUnit extension does not see (jqwik's, through {@code JqwikChecks}). */
  public static void check(String displayName) {
    assertThat(LogGuard.active())
        .as("tests must run with -Dslf4j.provider=dev.keel.testing.LogGuardProvider (keel-parent's keel.test.jvmArgs)")
        .isTrue();
    assertThat(LogGuard.reports())
        .as("stack traces logged at WARN+ or tail-of-pipeline warnings during " + displayName)
        .isEmpty();
  }
}
