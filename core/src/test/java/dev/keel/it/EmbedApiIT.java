package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.testing.Http;
import dev.keel.testing.Embedded;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedding API's everyday contract, over real sockets: threads, order, attributes, topics, paths. */
class EmbedApiIT {
  private Embedded.Server keel;

  @AfterEach
  void stop() {
    if (keel != null) {
      keel.close();
    }
  }

  @Test
  void handler_runsOnVirtualThreadsOneMessageAtATimeInArrivalOrder() {
    int messages = 300;
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    Handler h = (c, m) -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      Thread t = Thread.currentThread();
      threads.add((t.isVirtual() ? "virtual " : "platform ") + t.getName());
      seen.add(m.text());
      Thread.yield(); // give a second call the chance to overlap, if anything allowed it
      inFlight.decrementAndGet();
      if (seen.size() == messages) {
        c.send("done");
      }
    };
    keel = Embedded.start(h, b -> b.set(CoreOptions.INBOUND_QUEUE_MESSAGES, 8).set(CoreOptions.RATE_LIMIT, 100_000).set(CoreOptions.RATE_BURST, 100_000));
    try (TcpClient c = TcpClient.connect(keel.tcpPort())) {
      for (int i = 0; i < messages; i++) {
        c.send("m" + i);
      }
      assertThat(c.read()).as("reply after the last message").isEqualTo("done");
    }
    assertThat(seen).as("messages in arrival order").containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, messages).mapToObj(i -> "m" + i).toList());
    assertThat(maxInFlight.get()).as("handler calls of one connection at once").isEqualTo(1);
    assertThat(threads).as("threads the handler ran on").allMatch(n -> n.startsWith("virtual keel-handler-"));
  }

  @Test
  void scope_scheduledTaskFiresOnAVirtualThread_forkedTaskReturnsItsValue() throws Exception {
    Handler h = (c, m) -> {
      c.scope().schedule(Duration.ofMillis(50), () -> {
        Thread t = Thread.currentThread();
        c.send("tick on " + (t.isVirtual() ? "virtual " : "platform ") + t.getName());
      });
      c.send("fork says " + c.scope().fork(() -> m.text().toUpperCase()).get(10, TimeUnit.SECONDS));
    };
    keel = Embedded.start(h, b -> b);
    try (TcpClient c = TcpClient.connect(keel.tcpPort())) {
      c.send("hello");
      assertThat(c.read()).as("the forked task's value").isEqualTo("fork says HELLO");
      assertThat(c.read()).as("the scheduled task").startsWith("tick on virtual keel-fork-");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads").isZero());
  }

  @Test
  void customWsPath_attributesBinaryMessagesAndTopicsPublishedFromApplicationCode() throws Exception {
    Handler h = new Handler() {
      @Override
      public void onOpen(Connection c) {
        c.attributes().put("count", 0);
      }

      @Override
      public void onMessage(Connection c, Message m) {
        int n = (Integer) c.attributes().merge("count", 1, (a, b) -> (Integer) a + (Integer) b);
        if (m.binary()) {
          c.send("binary " + m.size() + " bytes, message " + n);
          c.send(m.bytes()); // echoed as a binary frame
        } else if (m.text().startsWith("sub ")) {
          keel.topics().subscribe(c, m.text().substring(4));
          c.send("subscribed, message " + n);
        }
      }
    };
    keel = Embedded.start(h, b -> b.set(CoreOptions.WS_PATH, "/chat/v1"));
    assertThat(Http.get(keel.wsPort(), "/ws").statusCode()).as("the default path on a server that moved it").isEqualTo(404);
    WsClient ws = WsClient.connectPath(keel.wsPort(), "/chat/v1");
    ws.sendBinary(new byte[] {1, 2, 3});
    assertThat(ws.next()).as("reply to a binary message").isEqualTo("binary 3 bytes, message 1");
    assertThat(ws.nextBinary()).as("binary echo").containsExactly(1, 2, 3);
    ws.send("sub news");
    assertThat(ws.next()).as("reply to sub").isEqualTo("subscribed, message 2");

    int delivered = keel.topics().publish("news", "{\"text\":\"hi\",\"n\":1.50}").get(10, TimeUnit.SECONDS);
    assertThat(delivered).as("subscribers the publish reached").isEqualTo(1);
    assertThat(ws.next()).as("the published message").isEqualTo("{\"op\":\"msg\",\"topic\":\"news\",\"seq\":1,\"data\":{\"text\":\"hi\",\"n\":1.50}}");
    ws.close();
    ws.awaitClose(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(keel.topics().subscribers("news")).as("subscribers after the close").isZero();
      assertThat(keel.probe().readings().topics()).as("topics after the close").isZero();
    });
  }
}
