package dev.keel.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.spi.HttpExchange;
import dev.keel.spi.HttpRoute;
import dev.keel.testing.EmbeddedTcp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deadline of each HTTP stage, on the real HTTP pipeline with time moved by hand: handshake 1 s,
 * request 2 s, keep-alive 3 s, close 500 ms.
 */
class HttpStageTest {
  private final List<HttpExchange> held = new ArrayList<>();
  private final EmbeddedTcp server = new EmbeddedTcp(KeelConfig.builder()
      .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofSeconds(1)).set(CoreOptions.REQUEST_TIMEOUT, Duration.ofSeconds(2))
      .set(CoreOptions.KEEP_ALIVE_TIMEOUT, Duration.ofSeconds(3)).set(CoreOptions.CLOSE_TIMEOUT, Duration.ofMillis(500))
      .set(CoreOptions.MAX_PIPELINED_REQUESTS, 2).build());
  private final MockTicker ticker = Ticker.newMockTicker();
  private EmbeddedChannel ch;
  private final StringBuilder out = new StringBuilder();

  private EmbeddedChannel connect() {
    HttpExtras extras = new HttpExtras();
    extras.add(new HttpRoute("/held", held::add), server.config); // answers only when the test says so
    // A clock of its own from the start: the stage's first deadline is armed as the channel becomes active.
    ch = EmbeddedChannel.builder().ticker(ticker).handlers(new WsInitializer(server.context, extras, null)).build();
    return ch;
  }

  @AfterEach
  void release() {
    written();
    ch.finishAndReleaseAll();
  }

  private void send(String s) {
    ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    ch.runPendingTasks();
  }

  private void advance(Duration d) {
    for (long left = d.toMillis(); left > 0; left -= 10) {
      ticker.advance(10, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      ch.runPendingTasks();
    }
  }

  private String written() {
    Object m;
    while ((m = ch.readOutbound()) != null) {
      if (m instanceof ByteBuf b) {
        out.append(b.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(m);
    }
    return out.toString();
  }

  @Test
  void silentConnection_isClosedAtTheHandshakeDeadline_withoutAnAnswer() {
    connect();
    advance(Duration.ofMillis(990));
    assertThat(ch.isOpen()).as("before the handshake timeout").isTrue();
    advance(Duration.ofMillis(20));
    assertThat(ch.isOpen()).as("after it").isFalse();
    assertThat(written()).as("nothing said").isEmpty();
  }

  @Test
  void firstRequestBegunLate_isStillBoundByTheHandshakeDeadline_and408() {
    connect();
    advance(Duration.ofMillis(900));
    send("GET /healthz HTTP/1.1\r\nHo");
    advance(Duration.ofMillis(120)); // 1.02 s from accept: past the handshake deadline, far from 0.9 + 2 s
    assertThat(written()).as("the answer").startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\"");
    assertThat(ch.isOpen()).as("closed after the last answer").isFalse();
  }

  @Test
  void keepAliveRequest_hasTheRequestTimeoutFromItsFirstByte_andAnIdleConnectionTheKeepAliveTimeout() {
    connect();
    send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(written()).as("answered").contains("{\"status\":\"up\"}");
    advance(Duration.ofMillis(2_900));
    assertThat(ch.isOpen()).as("idle 2.9 s of a 3 s keep-alive").isTrue();
    send("GET /healthz HTTP/1.1\r\nHo");
    advance(Duration.ofMillis(1_990));
    assertThat(ch.isOpen()).as("a request begun 1.99 s ago, of 2 s").isTrue();
    advance(Duration.ofMillis(20));
    assertThat(written()).as("its answer").contains("HTTP/1.1 408");
  }

  @Test
  void idleKeepAliveConnection_isClosedAtTheKeepAliveDeadline() {
    connect();
    send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    advance(Duration.ofMillis(2_990));
    assertThat(ch.isOpen()).as("before the keep-alive timeout").isTrue();
    advance(Duration.ofMillis(20));
    assertThat(ch.isOpen()).as("after it").isFalse();
  }

  @Test
  void routeThatDoesNotAnswer_gets503AtTheRequestDeadline_andItsLateAnswerIsDropped() {
    connect();
    send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
    advance(Duration.ofMillis(1_990));
    assertThat(written()).as("nothing yet").isEmpty();
    advance(Duration.ofMillis(20));
    assertThat(written()).as("the server's answer for the late route").startsWith("HTTP/1.1 503")
        .contains("no answer within request-timeout");
    held.get(0).respond(200, "{\"late\":true}");
    ch.runPendingTasks();
    assertThat(written()).as("the late answer goes nowhere").doesNotContain("late");
  }

  @Test
  void pipeliningPastTheBound_answersTheWaitingOnes_then429_andDiscardsTheRest() {
    connect();
    String req = "GET /held HTTP/1.1\r\nHost: x\r\n\r\n";
    send(req + req + req + req + req); // one under way, two waiting (the bound), then two too many
    for (int i = 0; i < 3; i++) {
      assertThat(held).as("routes called so far").hasSize(i + 1);
      held.get(i).respond(200, "{\"n\":" + i + "}");
      ch.runPendingTasks();
    }
    String all = written();
    assertThat(all).as("the three answers in order, then the 429")
        .containsSubsequence("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "HTTP/1.1 429", "too_many_requests");
    assertThat(held).as("the requests past the bound never reach the route").hasSize(3);
  }
}
