package dev.keel.api;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.fanout.TopicRegistry;
import dev.keel.session.ConnectionHandler;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * The embedding API's real bridge ({@link HandlerBridge}, {@link LiveConnection}) for tests on
 * {@code EmbeddedChannel}: handler runners are queued instead of started on virtual threads, and the
 * test runs them by hand ({@link Runners#runAll()}), so time and order stay deterministic while the
 * production code runs.
 */
public final class TestBridges {
  private TestBridges() {}

  /** Handler runners and forked tasks waiting to run on the test's thread. */
  public static final class Runners {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    /** Runs everything queued, including what the runs queue; returns how many ran. */
    public int runAll() {
      int n = 0;
      Runnable r;
      while ((r = queue.pollFirst()) != null) {
        r.run();
        n++;
      }
      return n;
    }

    public boolean isEmpty() {
      return queue.isEmpty();
    }
  }

  /** A bridge running {@code application} (given the registry's {@link Topics}), its runners queued on {@code runners}. */
  public static ConnectionHandler bridge(KeelConfig config, TopicRegistry registry,
      Function<Topics, Handler> application, Runners runners) {
    Topics topics = new RegistryTopics(registry, config.get(CoreOptions.MAX_SUBSCRIPTIONS));
    return new HandlerBridge(application.apply(topics), config, registry, new Live(),
        (name, body) -> runners.queue.addLast(body));
  }
}
