package dev.keel.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * The LEAK check and the log rule for jqwik's property classes, which JUnit's extensions do not see
 * (jqwik is an engine of its own). Registered for every container through
 * {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}; acts on top-level classes.
 */
@SuppressWarnings("overloads") // both hook interfaces declare compareTo for their own type; neither is called here
public final class JqwikChecks implements BeforeContainerHook, AfterContainerHook {
  @Override
  public boolean appliesTo(Optional<AnnotatedElement> element) {
    return element.isPresent() && element.get() instanceof Class<?> c && c.getEnclosingClass() == null;
  }

  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  @Override
  public void beforeContainer(ContainerLifecycleContext context) {
    LeakReportExtension.listen();
    LogGuard.clear();
  }

  @Override
  public void afterContainer(ContainerLifecycleContext context) {
    LeakReportExtension.check(context.label());
    LogGuardExtension.check(context.label());
  }
}
