package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One topic, 2,000 subscribers over both transports: every one gets every message, seq 1..N in order. */
class FanOutIT {
  private static final int TCP_SUBSCRIBERS = 1000;
  private static final int WS_SUBSCRIBERS = 1000;
  /**
   * Kept small: paranoid leak detection records a stack trace for every buffer of every delivery,
   * which makes each one a thousand times dearer than in production. Throughput is measured by the
   * benchmarks (docs/benchmarks.md), not here.
   */
  private static final int MESSAGES = 10;

  @Test
  void twoThousandSubscribersGetEveryMessageWithMonotonicSeq() throws Exception {
    try (Running server = Servers.start();
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<TcpClient> tcp = new ArrayList<>();
      List<WsClient> ws = new ArrayList<>();
      try {
        for (int i = 0; i < TCP_SUBSCRIBERS; i++) {
          // Spread source addresses over 127.0.0.x, as a load test must.
          TcpClient c = TcpClient.connect(server.tcpPort(), InetAddress.getByName("127.0.0." + (2 + i % 200)), 0);
          c.send("{\"op\":\"sub\",\"topic\":\"fan\"}");
          tcp.add(c);
        }
        for (int i = 0; i < WS_SUBSCRIBERS; i++) {
          WsClient c = WsClient.connect(server.wsPort());
          c.send("{\"op\":\"sub\",\"topic\":\"fan\"}");
          ws.add(c);
        }
        for (TcpClient c : tcp) {
          assertThat(c.readJson().get("op").asText()).isEqualTo("subscribed");
        }
        for (WsClient c : ws) {
          assertThat(c.nextJson().get("op").asText()).isEqualTo("subscribed");
        }
        assertThat(server.subscribers("fan")).isEqualTo(TCP_SUBSCRIBERS + WS_SUBSCRIBERS);

        List<Future<List<Long>>> tcpSeqs = new ArrayList<>();
        for (TcpClient c : tcp) {
          c.setReadTimeout(Duration.ofSeconds(60));
          tcpSeqs.add(readers.submit(() -> {
            List<Long> seqs = new ArrayList<>(MESSAGES);
            try {
              while (seqs.size() < MESSAGES) {
                seqs.add(c.readJson().get("seq").asLong());
              }
            } catch (RuntimeException e) {
              throw new AssertionError("TCP subscriber stopped after " + seqs.size() + " messages, last "
                  + (seqs.isEmpty() ? "none" : seqs.get(seqs.size() - 1)) + ", local " + c.socket().getLocalSocketAddress(), e);
            }
            return seqs;
          }));
        }
        try (WsClient publisher = WsClient.connect(server.wsPort())) {
          for (int i = 1; i <= MESSAGES; i++) {
            publisher.send("{\"op\":\"pub\",\"topic\":\"fan\",\"data\":{\"n\":" + i + "}}");
          }
          publisher.send("{\"op\":\"ping\"}");
          assertThat(publisher.next()).isEqualTo("{\"op\":\"pong\"}");
        }
        for (int s = 0; s < tcpSeqs.size(); s++) {
          List<Long> seqs = tcpSeqs.get(s).get(60, TimeUnit.SECONDS);
          assertSequence(seqs, "TCP subscriber " + s);
        }
        for (int s = 0; s < ws.size(); s++) {
          List<Long> seqs = new ArrayList<>(MESSAGES);
          for (int i = 0; i < MESSAGES; i++) {
            var m = WsClient.parse(ws.get(s).next(Duration.ofSeconds(60)));
            seqs.add(m.get("seq").asLong());
            assertThat(m.get("data").get("n").asLong()).as("payload matches seq").isEqualTo(m.get("seq").asLong());
          }
          assertSequence(seqs, "WS subscriber " + s);
        }
        assertThat(server.dropped()).as("nothing dropped").isZero();
        assertThat(server.delivered())
            .as("deliveries").isEqualTo((long) MESSAGES * (TCP_SUBSCRIBERS + WS_SUBSCRIBERS));
      } finally {
        tcp.forEach(TcpClient::close);
        ws.forEach(WsClient::abort);
      }
    }
  }

  private static void assertSequence(List<Long> seqs, String who) {
    assertThat(seqs).as(who + " message count").hasSize(MESSAGES);
    for (int i = 0; i < MESSAGES; i++) {
      assertThat(seqs.get(i)).as("%s message %d: no loss, seq monotonic by 1", who, i).isEqualTo(i + 1L);
    }
  }
}
