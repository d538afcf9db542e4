package dev.keel.client;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A client's events, recorded in order, with waits on them. */
final class Events implements Consumer<ClientEvent> {
  final List<ClientEvent> all = new CopyOnWriteArrayList<>();

  @Override
  public void accept(ClientEvent e) {
    all.add(e);
  }

  <T extends ClientEvent> List<T> of(Class<T> type) {
    return all.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Waits up to 30 s until {@code count} events of {@code type} match. */
  <T extends ClientEvent> T await(Class<T> type, int count, Predicate<T> p) {
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> of(type).stream().filter(p).count() >= count);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no " + count + " " + type.getSimpleName() + " as asked within 30 s; events: " + all, e);
    }
    return of(type).stream().filter(p).skip(count - 1).findFirst().orElseThrow();
  }

  <T extends ClientEvent> T await(Class<T> type, Predicate<T> p) {
    return await(type, 1, p);
  }

  @Override
  public String toString() {
    return all.toString();
  }
}
