package dev.keel.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.spi.HttpRoute;
import dev.keel.testing.EmbeddedTcp;
import dev.keel.testing.PubSubEmbedded;
import dev.keel.testing.RawWebSocket;
import dev.keel.transport.ws.HttpExtras;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the three decoders a client reaches, the HTTP request decoder (with the upgrade and a
 * route), the WebSocket frame decoder and the framed-TCP decoder, each in the server's real
 * pipeline on an EmbeddedChannel: random bytes, and valid inputs mutated as a fuzzer mutates them
 * ({@link Mutations}), fed in random chunks. For every case:
 * <ul>
 *   <li>no exception escapes the pipeline ({@code checkException}), and whatever the server writes is
 *       a documented answer (an HTTP status with a JSON body, a well-formed server frame, a protocol
 *       reply), never a stack trace;</li>
 *   <li>no hang: the case runs under a deadline of its own, and once the client goes silent the
 *       connection ends within the server's deadlines (time is moved by hand past them all);</li>
 *   <li>nothing is left: no session, slot or queued byte; no buffer leaks (paranoid leak detection,
 *       checked for this class by {@code JqwikChecks});</li>
 *   <li>the server answers an innocent client afterwards (HTTP, WebSocket and TCP).</li>
 * </ul>
 */
class DecoderFuzzPropertiesTest {
  private static final int MAX = 1024;
  private static final Duration CASE_DEADLINE = Duration.ofSeconds(20);
  /** Past every deadline of the configuration below, the close timeout included. */
  private static final Duration SILENCE = Duration.ofSeconds(12);
  private static final Set<Integer> HTTP_STATUSES = Set.of(100, 101, 200, 400, 403, 404, 405, 408, 413, 415, 426, 429, 503);
  private static final Set<Integer> CLOSE_CODES = Set.of(1000, 1001, 1002, 1007, 1008, 1009, 1011);
  private static final Set<String> OPS = Set.of("error", "subscribed", "unsubscribed", "ok", "echo", "pong", "msg");

  private static EmbeddedTcp server() {
    return PubSubEmbedded.tcp(KeelConfig.builder().set(CoreOptions.MAX_MESSAGE_SIZE, MAX)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 64 * 1024)
        .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofSeconds(1)).set(CoreOptions.REQUEST_TIMEOUT, Duration.ofSeconds(1))
        .set(CoreOptions.KEEP_ALIVE_TIMEOUT, Duration.ofSeconds(1)).set(CoreOptions.WRITE_TIMEOUT, Duration.ofSeconds(1))
        .set(CoreOptions.CLOSE_TIMEOUT, Duration.ofMillis(500)).set(CoreOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(500))
        .set(CoreOptions.IDLE_TIMEOUT, Duration.ofSeconds(2))
        .set(CoreOptions.RATE_LIMIT, 1_000_000).set(CoreOptions.RATE_BURST, 1_000_000).build());
  }

  private static HttpExtras routes(EmbeddedTcp server) {
    HttpExtras extras = new HttpExtras();
    extras.add(new HttpRoute("/api/publish", x -> x.respond(200, "{\"delivered\":0}")), server.config);
    return extras;
  }

  // ------------------------------------------------------------------ HTTP

  private static final List<byte[]> HTTP_SEEDS = List.of(
      ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
      ascii("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n"
          + "{\"topic\":\"t\",\"data\":1}"),
      ascii("POST /api/publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n"),
      ascii("POST /api/publish HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n{}x"),
      ascii("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"),
      ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n"),
      ascii("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));

  @Property(tries = 150)
  void http_randomBytes_areAnsweredOrClosed_andLeaveNothing(@ForAll @Size(max = 3000) byte[] input,
      @ForAll @IntRange(min = 1, max = 257) int chunk) {
    httpCase(input, chunk);
  }

  @Property(tries = 300)
  void http_mutatedRequests_areAnsweredOrClosed_andLeaveNothing(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int edits, @ForAll @IntRange(min = 1, max = 257) int chunk) {
    httpCase(Mutations.mutate(HTTP_SEEDS, seed, edits), chunk);
  }

  private static void httpCase(byte[] input, int chunk) {
    assertTimeoutPreemptively(CASE_DEADLINE, () -> {
      EmbeddedTcp server = server();
      try (EmbeddedHttp c = new EmbeddedHttp(server, routes(server))) {
        c.feed(input, chunk);
        c.channel.checkException();
        c.advance(SILENCE, Duration.ofMillis(100));
        c.channel.checkException();
        assertThat(c.channel.isOpen()).as("open after the client went silent past every deadline").isFalse();
        assertHttpAnswers(c.written());
      }
      assertNothingLeft(server);
      assertInnocentClientsServed(server);
    });
  }

  /** The server's bytes: HTTP answers with documented statuses and JSON bodies, then (after a 101) frames. */
  private static void assertHttpAnswers(byte[] out) {
    String text = new String(out, StandardCharsets.ISO_8859_1);
    assertThat(text).as("nothing like a stack trace goes out").doesNotContain("Exception", "\tat ");
    int at = 0;
    while (at < out.length) {
      int headEnd = text.indexOf("\r\n\r\n", at);
      assertThat(headEnd).as("a whole answer at byte %d of %s", at, text).isPositive();
      String head = text.substring(at, headEnd);
      int status = Integer.parseInt(head.substring(9, 12));
      // An answer takes the request's version; a request too broken to have one counts as HTTP/1.0.
      assertThat(head).as("a status line").matches("(?s)HTTP/1\\.[01] \\d{3} .*");
      assertThat(HTTP_STATUSES).as("status of %s", head).contains(status);
      at = headEnd + 4;
      if (status == 101) {
        assertServerFrames(java.util.Arrays.copyOfRange(out, at, out.length));
        return;
      }
      if (status == 100) {
        continue; // Expect: 100-continue; the answer follows
      }
      int length = contentLength(head);
      String body = text.substring(at, at + length);
      if (length > 0) {
        assertThat(EmbeddedTcp.json(body).isObject()).as("a JSON object body: %s", body).isTrue();
      }
      at += length;
    }
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    throw new AssertionError("an answer without Content-Length: " + head);
  }

  // ------------------------------------------------------------------ WebSocket

  /** One client frame: first byte (FIN, RSV, opcode), payload, masked or not. */
  record Frame(int firstByte, byte[] payload, boolean masked) {
    byte[] bytes() {
      return RawWebSocket.frameBytes(firstByte, payload, masked);
    }
  }

  @Provide
  Arbitrary<List<Frame>> frames() {
    Arbitrary<Integer> opcode = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(30, Arbitraries.just(0x1)), net.jqwik.api.Tuple.of(8, Arbitraries.just(0x0)),
        net.jqwik.api.Tuple.of(8, Arbitraries.just(0x9)), net.jqwik.api.Tuple.of(6, Arbitraries.just(0xA)),
        net.jqwik.api.Tuple.of(5, Arbitraries.just(0x2)), net.jqwik.api.Tuple.of(3, Arbitraries.just(0x8)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x3, 0x7)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xB, 0xF)));
    Arbitrary<byte[]> payload = Arbitraries.oneOf(
        Arbitraries.of("{\"op\":\"ping\"}", "{\"op\":\"echo\",\"data\":\"κόσμε\"}", "{\"op\":\"sub\",\"topic\":\"t\"}",
            "{\"op\":\"pub\",\"topic\":\"t\",\"data\":[1,2]}", "{\"op\":", "[1]", "").map(DecoderFuzzPropertiesTest::ascii),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(140),
        Arbitraries.integers().between(0, 5100).map(code -> new byte[] {(byte) (code >>> 8), (byte) (int) code}));
    Arbitrary<Frame> frame = Combinators.combine(opcode, Arbitraries.integers().between(0, 9), payload,
        Arbitraries.integers().between(0, 19)).as((op, flags, p, maskRoll) -> {
          int fin = flags < 7 ? 0x80 : 0; // mostly final
          int rsv = flags == 9 ? 0x40 : 0; // rarely a reserved bit
          return new Frame(fin | rsv | op, p, maskRoll != 0); // rarely unmasked
        });
    return frame.list().ofMaxSize(20);
  }

  @Property(tries = 300)
  void webSocket_randomFrames_neverThrow_areAnsweredWithWellFormedFrames_andLeaveNothing(
      @ForAll("frames") List<Frame> frames, @ForAll @IntRange(min = 1, max = 97) int chunk) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    frames.forEach(f -> stream.writeBytes(f.bytes()));
    wsCase(stream.toByteArray(), chunk);
  }

  @Property(tries = 200)
  void webSocket_mutatedFrameStreams_neverThrow_andLeaveNothing(@ForAll("frames") List<Frame> frames,
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits, @ForAll @IntRange(min = 1, max = 97) int chunk) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    frames.forEach(f -> stream.writeBytes(f.bytes()));
    stream.writeBytes(RawWebSocket.frameBytes(0x81, ascii("{\"op\":\"ping\"}"), true));
    wsCase(Mutations.mutate(List.of(stream.toByteArray()), seed, edits), chunk);
  }

  private static void wsCase(byte[] input, int chunk) {
    assertTimeoutPreemptively(CASE_DEADLINE, () -> {
      EmbeddedTcp server = server();
      String upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      try (EmbeddedHttp c = new EmbeddedHttp(server, routes(server))) {
        c.feed(Mutations.concat(ascii(upgrade), input), chunk);
        c.channel.checkException();
        c.advance(SILENCE, Duration.ofMillis(100));
        c.channel.checkException();
        assertThat(c.channel.isOpen()).as("open after the client went silent past every deadline").isFalse();
        assertHttpAnswers(c.written()); // the 101, then the server's frames
      }
      assertNothingLeft(server);
      assertInnocentClientsServed(server);
    });
  }

  /** Server frames: final, unmasked, a known opcode; text is a protocol reply; a close carries a documented code. */
  private static void assertServerFrames(byte[] out) {
    int at = 0;
    while (at < out.length) {
      assertThat(out.length - at).as("a whole frame header").isGreaterThanOrEqualTo(2);
      int b0 = out[at] & 0xff;
      int b1 = out[at + 1] & 0xff;
      assertThat(b0 & 0x80).as("FIN: the server never fragments").isEqualTo(0x80);
      assertThat(b0 & 0x70).as("no RSV bits").isZero();
      assertThat(b1 & 0x80).as("server frames are not masked").isZero();
      int opcode = b0 & 0x0f;
      assertThat(Set.of(0x1, 0x2, 0x8, 0x9, 0xA)).as("opcode").contains(opcode);
      long len = b1 & 0x7f;
      at += 2;
      if (len == 126) {
        len = ((out[at] & 0xff) << 8) | (out[at + 1] & 0xff);
        at += 2;
      } else if (len == 127) {
        len = ByteBuffer.wrap(out, at, 8).getLong();
        at += 8;
      }
      byte[] payload = java.util.Arrays.copyOfRange(out, at, (int) (at + len));
      at += (int) len;
      if (opcode == 0x1) {
        JsonNode m = EmbeddedTcp.json(new String(payload, StandardCharsets.UTF_8));
        assertThat(OPS).as("op of %s", m).contains(m.get("op").asText());
      } else if (opcode == 0x8) {
        int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        assertThat(CLOSE_CODES).as("close code").contains(code);
        assertThat(at).as("nothing after the close frame").isEqualTo(out.length);
      }
    }
  }

  // ------------------------------------------------------------------ framed TCP

  private static byte[] tcpFrames(String... jsons) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String j : jsons) {
      byte[] p = ascii(j);
      out.writeBytes(ByteBuffer.allocate(4).putInt(p.length).array());
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static final List<byte[]> TCP_SEEDS = List.of(
      tcpFrames("{\"op\":\"ping\",\"id\":1}", "{\"op\":\"echo\",\"data\":[1.5,\"x\",{\"k\":null}]}"),
      tcpFrames("{\"op\":\"sub\",\"topic\":\"t\"}", "{\"op\":\"pub\",\"topic\":\"t\",\"data\":1e5,\"id\":\"p\"}",
          "{\"op\":\"unsub\",\"topic\":\"t\"}"),
      Mutations.concat(new byte[4], tcpFrames("{\"op\":\"ping\"}")));

  @Property(tries = 300)
  void tcp_mutatedFrameStreams_areAnsweredOrClosed_andLeaveNothing(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int edits, @ForAll @IntRange(min = 1, max = 97) int chunk) {
    byte[] input = Mutations.mutate(TCP_SEEDS, seed, edits);
    assertTimeoutPreemptively(CASE_DEADLINE, () -> {
      EmbeddedTcp server = server();
      try (EmbeddedTcp.Client c = server.connect()) {
        for (int off = 0; off < input.length && c.channel.isOpen(); off += chunk) {
          c.sendRaw(Unpooled.wrappedBuffer(input, off, Math.min(chunk, input.length - off)));
        }
        c.channel.checkException();
        List<String> frames = new ArrayList<>(c.frames());
        c.advance(SILENCE);
        c.channel.checkException();
        frames.addAll(c.frames());
        assertThat(c.channel.isOpen()).as("open after the client went silent past every deadline").isFalse();
        for (String f : frames) {
          if (!f.isEmpty()) { // a heartbeat
            JsonNode m = EmbeddedTcp.json(f);
            assertThat(OPS).as("op of %s", f).contains(m.get("op").asText());
            assertThat(f).as("no stack trace").doesNotContain("Exception", "\tat ");
          }
        }
      }
      assertNothingLeft(server);
      assertInnocentClientsServed(server);
    });
  }

  // ------------------------------------------------------------------ after each case

  private static void assertNothingLeft(EmbeddedTcp server) {
    assertThat(server.sessions.count()).as("sessions left").isZero();
    assertThat(server.sessions.reserved()).as("slots left").isZero();
    assertThat(server.counters.queuedBytes()).as("queued bytes left").isZero();
  }

  private static void assertInnocentClientsServed(EmbeddedTcp server) {
    try (EmbeddedTcp.Client tcp = server.connect()) {
      tcp.send("{\"op\":\"ping\",\"id\":\"innocent\"}");
      assertThat(tcp.frames()).as("an innocent TCP client's ping").contains("{\"op\":\"pong\",\"id\":\"innocent\"}");
    }
    try (EmbeddedHttp http = new EmbeddedHttp(server, routes(server))) {
      http.feed(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 4096);
      assertThat(new String(http.written(), StandardCharsets.US_ASCII)).as("an innocent HTTP client")
          .startsWith("HTTP/1.1 200").endsWith("{\"status\":\"up\"}");
    }
    try (EmbeddedWs ws = new EmbeddedWs(server)) {
      ws.feed(RawWebSocket.frameBytes(0x81, ascii("{\"op\":\"ping\",\"id\":\"innocent\"}"), true), 4096);
      assertThat(ws.drain()).as("an innocent WebSocket client").contains("{\"op\":\"pong\",\"id\":\"innocent\"}");
    }
    assertNothingLeft(server);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
