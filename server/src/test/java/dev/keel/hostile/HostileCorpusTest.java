package dev.keel.hostile;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.PubSubEmbedded;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The corpus of hostile inputs kept as regression tests (src/test/resources/hostile: {@code tcp-*}
 * replayed on the framed-TCP pipeline, {@code ws-*} after a WebSocket upgrade), and random bytes after
 * an upgrade. Add an input here whenever a property finds one that fails.
 */
class HostileCorpusTest {
  private static EmbeddedTcp server() {
    return PubSubEmbedded.tcp(KeelConfig.builder().set(CoreOptions.MAX_MESSAGE_SIZE, 1024).set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 * 1024)
        .set(CoreOptions.RATE_LIMIT, 1_000_000).set(CoreOptions.RATE_BURST, 1_000_000).build());
  }

  static List<Path> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(HostileCorpusTest.class.getResource("/hostile").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusInputIsHandledWithoutErrorOrLeftovers() throws Exception {
    return corpus().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      byte[] input = Files.readAllBytes(file);
      EmbeddedTcp server = server();
      if (file.getFileName().toString().startsWith("ws-")) {
        try (EmbeddedWs ws = new EmbeddedWs(server)) {
          ws.feed(input, 1500);
          ws.channel.checkException();
          String out = ws.drain();
          assertThat(out).as("nothing like a stack trace goes out").doesNotContain("Exception", "\tat ");
        }
      } else {
        try (EmbeddedTcp.Client c = server.connect()) {
          for (int off = 0; off < input.length && c.channel.isOpen(); off += 1500) {
            c.sendRaw(Unpooled.wrappedBuffer(input, off, Math.min(1500, input.length - off)));
          }
          c.channel.checkException();
          for (String frame : c.frames()) {
            assertThat(EmbeddedTcp.json(frame).get("op").asText()).as("a reply, error or message: %s", frame)
                .isIn("error", "pong", "echo", "subscribed", "unsubscribed", "ok", "msg");
          }
        }
      }
      assertThat(server.sessions.count()).as("sessions left after %s", file.getFileName()).isZero();
      assertThat(server.sessions.reserved()).as("slots left after %s", file.getFileName()).isZero();
      assertThat(server.counters.queuedBytes()).isZero();
    }));
  }

  @Property(tries = 200)
  void randomBytesAfterAWebSocketUpgrade_neverThrowAndLeaveNothing(
      @ForAll @Size(max = 4000) byte[] input, @ForAll @IntRange(min = 1, max = 257) int chunk) {
    EmbeddedTcp server = server();
    try (EmbeddedWs ws = new EmbeddedWs(server)) {
      ws.feed(input, chunk);
      ws.channel.checkException();
    }
    assertThat(server.sessions.count()).isZero();
    assertThat(server.sessions.reserved()).isZero();
    assertThat(server.counters.queuedBytes()).isZero();
  }
}
