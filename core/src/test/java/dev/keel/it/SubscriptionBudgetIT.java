package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.Topics;
import dev.keel.limit.MemoryBudget;
import dev.keel.spi.Readings;
import dev.keel.testing.Embedded;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions are memory a client chooses to make the server hold (a topic each, when it names new
 * ones): each is charged to the memory budget while its connection lives, and released by an
 * unsubscribe or however the connection ends.
 */
class SubscriptionBudgetIT {
  private Embedded.Server keel;

  /** sub T / unsub T, answered. */
  private record SubHandler(Topics topics) implements Handler {
    @Override
    public void onMessage(Connection c, Message m) {
      JsonNode req = WsClient.parse(m.text());
      String topic = req.path("topic").asText();
      if (req.path("op").asText().equals("sub")) {
        c.reply("{\"op\":\"" + (topics.subscribe(c, topic) ? "subscribed" : "refused") + "\"}");
      } else {
        topics.unsubscribe(c, topic);
        c.reply("{\"op\":\"unsubscribed\"}");
      }
    }
  }

  @AfterEach
  void stop() {
    if (keel != null) {
      keel.close();
    }
  }

  private long connectionsCharged() {
    Readings r = keel.probe().readings();
    return r.memoryAccounted("connections");
  }

  @Test
  void subscriptions_areChargedWhileTheyLast_andReleasedByUnsubscribeAndByTheConnectionEnding() {
    keel = Embedded.start(SubHandler::new, b -> b);
    long idle;
    try (TcpClient c = TcpClient.connect(keel.tcpPort())) {
      c.send("{\"op\":\"unsub\",\"topic\":\"none\"}");
      assertThat(c.readJson().path("op").asText()).as("answer to an unsubscribe").isEqualTo("unsubscribed");
      idle = connectionsCharged();
      assertThat(idle).as("one open connection, no subscription").isEqualTo(MemoryBudget.CONNECTION_COST);
      for (int i = 0; i < 10; i++) {
        c.send("{\"op\":\"sub\",\"topic\":\"made.up." + i + "\"}");
        assertThat(c.readJson().path("op").asText()).as("answer to subscribe %d", i).isEqualTo("subscribed");
      }
      c.send("{\"op\":\"sub\",\"topic\":\"made.up.0\"}");
      c.readJson();
      assertThat(connectionsCharged()).as("the connection and its 10 subscriptions (one made twice)")
          .isEqualTo(idle + 10L * MemoryBudget.SUBSCRIPTION_COST);
      for (int i = 0; i < 4; i++) {
        c.send("{\"op\":\"unsub\",\"topic\":\"made.up." + i + "\"}");
        c.readJson();
      }
      assertThat(connectionsCharged()).as("after 4 unsubscribes").isEqualTo(idle + 6L * MemoryBudget.SUBSCRIPTION_COST);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(connectionsCharged()).as("after the connection ended with 6 subscriptions").isZero());
    assertThat(keel.probe().readings().memoryAccounted("outbound")).as("outbound after").isZero();
  }
}
