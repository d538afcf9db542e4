package dev.keel.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.limit.MemoryBudget;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** HTTP bodies count against the budget from their first byte until they are answered or the connection ends. */
class HttpBodyMeterTest {
  private final MemoryBudget budget = new MemoryBudget(1L << 30);
  private final HttpBodyMeter meter = new HttpBodyMeter(budget);
  private final EmbeddedChannel channel =
      new EmbeddedChannel(new HttpServerCodec(), meter, new HttpObjectAggregator(1 << 16));

  private void write(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  @Test
  void aBodyArriving_isCharged_untilItsRequestIsAnswered() {
    write("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
    assertThat(budget.held(MemoryBudget.Kind.HTTP_BODIES)).as("bytes charged for half a body").isEqualTo(5);
    FullHttpRequest early = channel.readInbound();
    assertThat(early).as("request passed on before its body is complete").isNull();
    write("67890");
    FullHttpRequest req = channel.readInbound();
    assertThat(req.content().readableBytes()).as("body of the aggregated request").isEqualTo(10);
    req.release();
    assertThat(budget.held(MemoryBudget.Kind.HTTP_BODIES)).as("bytes charged until answered").isEqualTo(10);
    meter.settled();
    assertThat(budget.held(MemoryBudget.Kind.HTTP_BODIES)).as("bytes charged once answered").isZero();
  }

  @Test
  void aConnectionEndingMidBody_releasesItsCharge() {
    write("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "x".repeat(40));
    assertThat(budget.held(MemoryBudget.Kind.HTTP_BODIES)).as("bytes charged mid-body").isEqualTo(40);
    channel.close();
    assertThat(budget.held(MemoryBudget.Kind.HTTP_BODIES)).as("bytes charged after the connection ended").isZero();
  }
}
