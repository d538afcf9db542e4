package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** What the application got from one subscription, in the order the handler saw it. */
final class Received implements Consumer<Message> {
  final List<Message> all = new CopyOnWriteArrayList<>();

  @Override
  public void accept(Message m) {
    all.add(m);
  }

  void awaitCount(int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> all.size() >= n);
  }

  /** Every message's data is {"n":i}: the application saw n = 1..count, each once, in order. */
  void assertExactlyOnceInOrder(int count) {
    List<Integer> ns = all.stream().map(m -> Integer.parseInt(m.data().replaceAll("\\D", ""))).toList();
    assertThat(ns).as("every message exactly once and in order").hasSize(count);
    for (int i = 0; i < count; i++) {
      assertThat(ns.get(i)).as("message " + i).isEqualTo(i + 1);
    }
  }
}
