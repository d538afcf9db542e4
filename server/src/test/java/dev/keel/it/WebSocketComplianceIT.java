package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.testing.RawWebSocket;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 6455 compliance, case by case, numbered and grouped as the Autobahn testsuite numbers its cases
 * 1 to 7 and 9 (the suite itself cannot be installed here): 1 framing, 2 pings and pongs, 3 reserved
 * bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 the close handshake and close codes, 9 limits; and H,
 * the opening handshake (§4.2.1, §4.2.2). A hand-rolled peer sends each case's frames exactly
 * (masked, as a client must) and checks what comes back: Keel is not an echo server, so a text message
 * is an {@code echo} request and its echo is the expected answer.
 *
 * <p>A failed case closes with the code RFC 6455 asks for (§7.4.1: 1002 protocol error, 1007 invalid
 * payload, 1009 too big), and the server then ends the stream.
 */
class WebSocketComplianceIT {
  private static final int MAX = 1024 * 1024;
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CONT = 0x0;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;
  private static final int FIN = 0x80;
  private static Running server;

  @BeforeAll
  static void start() {
    server = Servers.start(b -> b.set(CoreOptions.MAX_MESSAGE_SIZE, MAX)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 4 * MAX)
        .set(CoreOptions.RATE_LIMIT, 1_000_000).set(CoreOptions.RATE_BURST, 1_000_000));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One case: what the peer does and expects, on a fresh connection (or none, for handshakes). */
  interface Script {
    void run(Peer peer) throws IOException;
  }

  private static Arguments c(String id, String title, Script script) {
    return Arguments.of(id + " " + title, script);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rfc6455(String name, Script script) throws IOException {
    if (name.startsWith("H.")) {
      script.run(new Peer(null));
      return;
    }
    try (RawWebSocket ws = RawWebSocket.connect(server.wsPort())) {
      script.run(new Peer(ws));
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    framing(all);
    pingsAndPongs(all);
    reservedBits(all);
    opcodes(all);
    fragmentation(all);
    utf8(all);
    closing(all);
    limits(all);
    handshake(all);
    return all.stream();
  }

  // ------------------------------------------------------------------ 1: framing (§5.2, §5.6)

  private static void framing(List<Arguments> all) {
    all.add(c("1.1.1", "text, empty payload: a bad request, the connection stays", p -> {
      p.send(FIN | TEXT, new byte[0]);
      assertThat(p.nextText()).as("answer to an empty text message").contains("\"code\":\"bad_request\"");
      p.expectOpen();
    }));
    int[] lengths = {125, 126, 127, 128, 65535, 65536};
    for (int i = 0; i < lengths.length; i++) {
      int n = lengths[i];
      all.add(c("1.1." + (i + 2), "text, payload " + n + " bytes (" + (n < 126 ? "7" : n <= 65535 ? "16" : "64")
          + "-bit length): echoed", p -> p.echo(echoOfLength(n))));
    }
    all.add(c("1.1.8", "text, 65536 bytes written in chops of 997: echoed", p -> {
      byte[] msg = echoOfLength(65536);
      p.sendChopped(RawWebSocket.frameBytes(FIN | TEXT, msg, true), 997);
      assertThat(p.nextText()).as("echo").isEqualTo(new String(msg, StandardCharsets.UTF_8));
    }));
    int[] binaries = {0, 125, 126, 65536};
    for (int i = 0; i < binaries.length; i++) {
      int n = binaries[i];
      all.add(c("1.2." + (i + 1), "binary, payload " + n + " bytes: answered unsupported, the connection stays", p -> {
        p.send(FIN | BINARY, new byte[n]);
        assertThat(p.nextText()).as("answer to a binary message").contains("\"code\":\"unsupported\"");
        p.expectOpen();
      }));
    }
  }

  // ------------------------------------------------------------------ 2: pings and pongs (§5.5.2, §5.5.3)

  private static void pingsAndPongs(List<Arguments> all) {
    all.add(c("2.1", "ping, empty payload: pong, empty", p -> {
      p.send(FIN | PING, new byte[0]);
      assertThat(p.nextPong()).as("pong payload").isEmpty();
    }));
    all.add(c("2.2", "ping, 125 bytes of text: pong with the same payload", p -> {
      byte[] payload = "x".repeat(125).getBytes(StandardCharsets.US_ASCII);
      p.send(FIN | PING, payload);
      assertThat(p.nextPong()).as("pong payload").isEqualTo(payload);
    }));
    all.add(c("2.3", "ping, binary payload 0x00..0xFF (125 bytes): pong with the same payload", p -> {
      byte[] payload = new byte[125];
      for (int i = 0; i < payload.length; i++) {
        payload[i] = (byte) (i * 2);
      }
      p.send(FIN | PING, payload);
      assertThat(p.nextPong()).as("pong payload").isEqualTo(payload);
    }));
    all.add(c("2.4", "ping, 126 bytes (control frames carry at most 125): close 1002", p -> {
      p.send(FIN | PING, new byte[126]);
      p.expectClose(1002);
    }));
    all.add(c("2.5", "ping, 125 bytes written one byte at a time: pong", p -> {
      byte[] payload = "y".repeat(125).getBytes(StandardCharsets.US_ASCII);
      p.sendChopped(RawWebSocket.frameBytes(FIN | PING, payload, true), 1);
      assertThat(p.nextPong()).as("pong payload").isEqualTo(payload);
    }));
    all.add(c("2.6", "unsolicited pong, empty: no answer, the connection stays", p -> {
      p.send(FIN | PONG, new byte[0]);
      p.expectOpen();
    }));
    all.add(c("2.7", "unsolicited pong with payload: no answer, the connection stays", p -> {
      p.send(FIN | PONG, "unsolicited".getBytes(StandardCharsets.US_ASCII));
      p.expectOpen();
    }));
    all.add(c("2.8", "unsolicited pong, then a ping: one pong, for the ping", p -> {
      p.send(FIN | PONG, "unsolicited".getBytes(StandardCharsets.US_ASCII));
      p.send(FIN | PING, "solicited".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(p.nextPong(), StandardCharsets.US_ASCII)).as("pong payload").isEqualTo("solicited");
    }));
    all.add(c("2.9", "10 pings with payloads, in one write: 10 pongs, in order", p -> {
      ByteArrayOutputStream pings = new ByteArrayOutputStream();
      for (int i = 0; i < 10; i++) {
        pings.writeBytes(RawWebSocket.frameBytes(FIN | PING, ("p" + i).getBytes(StandardCharsets.US_ASCII), true));
      }
      p.sendRaw(pings.toByteArray());
      for (int i = 0; i < 10; i++) {
        assertThat(new String(p.nextPong(), StandardCharsets.US_ASCII)).as("pong " + i).isEqualTo("p" + i);
      }
    }));
  }

  // ------------------------------------------------------------------ 3: reserved bits (§5.2)

  private static void reservedBits(List<Arguments> all) {
    int[][] cases = {{0x40, TEXT}, {0x20, TEXT}, {0x10, TEXT}, {0x50, BINARY}, {0x60, PING}, {0x70, CLOSE}};
    for (int i = 0; i < cases.length; i++) {
      int rsv = cases[i][0];
      int opcode = cases[i][1];
      all.add(c("3." + (i + 1), "RSV bits 0x" + Integer.toHexString(rsv) + " on opcode " + opcode
          + " without an extension: close 1002", p -> {
        if (opcode == TEXT) {
          p.echo(echo("before"));
        }
        p.send(FIN | rsv | opcode, opcode == CLOSE ? closePayload(1000, "") : echo("rsv"));
        p.expectClose(1002);
      }));
    }
  }

  // ------------------------------------------------------------------ 4: opcodes (§5.2)

  private static void opcodes(List<Arguments> all) {
    int[] reserved = {3, 4, 5, 6, 7};
    for (int i = 0; i < reserved.length; i++) {
      int op = reserved[i];
      all.add(c("4.1." + (i + 1), "reserved non-control opcode " + op + ": close 1002", p -> {
        p.echo(echo("before"));
        p.send(FIN | op, "reserved".getBytes(StandardCharsets.US_ASCII));
        p.expectClose(1002);
      }));
    }
    int[] control = {11, 12, 13, 14, 15};
    for (int i = 0; i < control.length; i++) {
      int op = control[i];
      all.add(c("4.2." + (i + 1), "reserved control opcode " + op + ": close 1002", p -> {
        p.send(FIN | op, new byte[0]);
        p.expectClose(1002);
      }));
    }
  }

  // ------------------------------------------------------------------ 5: fragmentation (§5.4)

  private static void fragmentation(List<Arguments> all) {
    all.add(c("5.1", "ping fragmented in 2 (control frames must not be fragmented): close 1002", p -> {
      p.send(PING, "frag".getBytes(StandardCharsets.US_ASCII));
      p.send(FIN | CONT, "ment".getBytes(StandardCharsets.US_ASCII));
      p.expectClose(1002);
    }));
    all.add(c("5.2", "pong fragmented in 2: close 1002", p -> {
      p.send(PONG, "frag".getBytes(StandardCharsets.US_ASCII));
      p.send(FIN | CONT, "ment".getBytes(StandardCharsets.US_ASCII));
      p.expectClose(1002);
    }));
    all.add(c("5.3", "text in 2 fragments: echoed whole", p -> {
      byte[] m = echo("fragmented");
      p.send(TEXT, Arrays.copyOfRange(m, 0, 10));
      p.send(FIN | CONT, Arrays.copyOfRange(m, 10, m.length));
      assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
    }));
    all.add(c("5.4", "text in 2 fragments, written in chops of 1: echoed whole", p -> {
      byte[] m = echo("fragmented");
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(RawWebSocket.frameBytes(TEXT, Arrays.copyOfRange(m, 0, 10), true));
      both.writeBytes(RawWebSocket.frameBytes(FIN | CONT, Arrays.copyOfRange(m, 10, m.length), true));
      p.sendChopped(both.toByteArray(), 1);
      assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
    }));
    all.add(c("5.5", "text fragment, ping, last fragment: the pong first, then the echo", p -> {
      byte[] m = echo("interleaved");
      p.send(TEXT, Arrays.copyOfRange(m, 0, 10));
      p.send(FIN | PING, "between".getBytes(StandardCharsets.US_ASCII));
      p.send(FIN | CONT, Arrays.copyOfRange(m, 10, m.length));
      assertThat(new String(p.nextPong(), StandardCharsets.US_ASCII)).as("pong").isEqualTo("between");
      assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
    }));
    all.add(c("5.6", "continuation with FIN and nothing to continue: close 1002", p -> {
      p.send(FIN | CONT, "orphan".getBytes(StandardCharsets.US_ASCII));
      p.expectClose(1002);
    }));
    all.add(c("5.7", "continuation without FIN and nothing to continue: close 1002", p -> {
      p.send(CONT, "orphan".getBytes(StandardCharsets.US_ASCII));
      p.expectClose(1002);
    }));
    all.add(c("5.8", "a message in 2 fragments, then a continuation with nothing to continue: close 1002"
        + " (the echo may come first, or be dropped by the failed connection, as §7.1.7 allows)", p -> {
      byte[] m = echo("first");
      p.send(TEXT, Arrays.copyOfRange(m, 0, 5));
      p.send(FIN | CONT, Arrays.copyOfRange(m, 5, m.length));
      p.send(CONT, "orphan".getBytes(StandardCharsets.US_ASCII));
      p.expectClose(1002);
    }));
    all.add(c("5.9", "a text fragment, then a new text frame instead of a continuation: close 1002", p -> {
      p.send(TEXT, "{\"op\":".getBytes(StandardCharsets.US_ASCII));
      p.send(FIN | TEXT, echo("interrupting"));
      p.expectClose(1002);
    }));
    all.add(c("5.10", "text in 5 fragments with a ping after each: 4 pongs, then the echo", p -> {
      byte[] m = echo("five fragments here");
      int step = m.length / 5;
      for (int i = 0; i < 5; i++) {
        int from = i * step;
        int to = i == 4 ? m.length : from + step;
        p.send((i == 4 ? FIN : 0) | (i == 0 ? TEXT : CONT), Arrays.copyOfRange(m, from, to));
        if (i < 4) {
          p.send(FIN | PING, ("f" + i).getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(p.nextPong(), StandardCharsets.US_ASCII)).as("pong " + i).isEqualTo("f" + i);
        }
      }
      assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
    }));
    all.add(c("5.11", "text with empty fragments around the content: echoed whole", p -> {
      byte[] m = echo("empties");
      p.send(TEXT, new byte[0]);
      p.send(CONT, m);
      p.send(FIN | CONT, new byte[0]);
      assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
    }));
  }

  // ------------------------------------------------------------------ 6: UTF-8 (§5.6, §8.1)

  private static void utf8(List<Arguments> all) {
    all.add(c("6.1", "valid UTF-8 (\"κόσμε\", U+10FFFF) in a text message: echoed, the same JSON", p -> {
      byte[] m = concat(ascii("{\"op\":\"echo\",\"data\":\""), "κόσμε".getBytes(StandardCharsets.UTF_8),
          hex("f48fbfbf"), ascii("\"}"));
      p.send(FIN | TEXT, m);
      assertThat(WsClient.parse(p.nextText())).as("echo, as JSON").isEqualTo(WsClient.parse(new String(m, StandardCharsets.UTF_8)));
    }));
    all.add(c("6.2", "valid UTF-8 split inside a code point across fragments: echoed whole", p -> {
      byte[] m = concat(ascii("{\"op\":\"echo\",\"data\":\""), "κόσμε".getBytes(StandardCharsets.UTF_8), ascii("\"}"));
      int cut = 23; // inside the 2-byte sequence of ό
      p.send(TEXT, Arrays.copyOfRange(m, 0, cut));
      p.send(FIN | CONT, Arrays.copyOfRange(m, cut, m.length));
      assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
    }));
    String[][] invalid = {
        {"cebae1bdb9cf83cebcceb5eda080656469746564", "a surrogate (U+D800) inside valid text"},
        {"c0af", "an overlong 2-byte encoding of /"},
        {"e080af", "an overlong 3-byte encoding"},
        {"f08080af", "an overlong 4-byte encoding"},
        {"f4908080", "a code point above U+10FFFF"},
        {"80", "a lone continuation byte"},
        {"e282", "a sequence cut short at the end"},
        {"fe", "the byte 0xFE"},
        {"ff", "the byte 0xFF"},
    };
    for (int i = 0; i < invalid.length; i++) {
      byte[] bad = hex(invalid[i][0]);
      all.add(c("6.3." + (i + 1), "invalid UTF-8, " + invalid[i][1] + ", in one text frame: close 1007", p -> {
        p.send(FIN | TEXT, concat(ascii("{\"op\":\"echo\",\"data\":\""), bad, ascii("\"}")));
        p.expectClose(1007);
      }));
    }
    all.add(c("6.4.1", "invalid UTF-8 in the second of 2 fragments: close 1007", p -> {
      p.send(TEXT, ascii("{\"op\":\"echo\",\"data\":\""));
      p.send(FIN | CONT, concat(hex("eda080"), ascii("\"}")));
      p.expectClose(1007);
    }));
    all.add(c("6.4.2", "invalid UTF-8 across 3 fragments, the bad byte alone in the middle one: close 1007", p -> {
      p.send(TEXT, concat(ascii("{\"op\":\"echo\",\"data\":\""), hex("ce")));
      p.send(CONT, hex("ff"));
      p.send(FIN | CONT, ascii("\"}"));
      p.expectClose(1007);
    }));
  }

  // ------------------------------------------------------------------ 7: closing (§5.5.1, §7.1.5, §7.4)

  private static void closing(List<Arguments> all) {
    all.add(c("7.1.1", "echo, then close 1000: the echo, then close 1000", p -> {
      p.echo(echo("before closing"));
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.expectClose(1000);
    }));
    all.add(c("7.1.2", "close twice: one close 1000", p -> {
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.expectClose(1000);
    }));
    all.add(c("7.1.3", "close, then a ping: close 1000 and no pong", p -> {
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.send(FIN | PING, "late".getBytes(StandardCharsets.US_ASCII));
      p.expectClose(1000);
    }));
    all.add(c("7.1.4", "close, then a text message: close 1000 and no echo", p -> {
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.send(FIN | TEXT, echo("late"));
      p.expectClose(1000);
    }));
    all.add(c("7.1.5", "a text fragment, close, the last fragment: close 1000 and no echo", p -> {
      byte[] m = echo("never whole");
      p.send(TEXT, Arrays.copyOfRange(m, 0, 8));
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.send(FIN | CONT, Arrays.copyOfRange(m, 8, m.length));
      p.expectClose(1000);
    }));
    all.add(c("7.3.1", "close with an empty payload: close 1000", p -> {
      p.send(FIN | CLOSE, new byte[0]);
      p.expectClose(1000);
    }));
    all.add(c("7.3.2", "close with a 1-byte payload: close 1002", p -> {
      p.send(FIN | CLOSE, new byte[] {0x03});
      p.expectClose(1002);
    }));
    all.add(c("7.3.3", "close 1000, no reason: close 1000", p -> {
      p.send(FIN | CLOSE, closePayload(1000, ""));
      p.expectClose(1000);
    }));
    all.add(c("7.3.4", "close 1000 with a reason: close 1000", p -> {
      p.send(FIN | CLOSE, closePayload(1000, "Hello World!"));
      p.expectClose(1000);
    }));
    all.add(c("7.3.5", "close 1000 with a 123-byte reason (125-byte payload): close 1000", p -> {
      p.send(FIN | CLOSE, closePayload(1000, "*".repeat(123)));
      p.expectClose(1000);
    }));
    all.add(c("7.3.6", "close 1000 with a 124-byte reason (126-byte payload): close 1002", p -> {
      p.send(FIN | CLOSE, closePayload(1000, "*".repeat(124)));
      p.expectClose(1002);
    }));
    all.add(c("7.5.1", "close 1000 with a reason that is not UTF-8: close 1007", p -> {
      p.send(FIN | CLOSE, concat(new byte[] {0x03, (byte) 0xe8}, hex("cebae1bdb9cf83cebcceb5eda080656469746564")));
      p.expectClose(1007);
    }));
    int[] valid = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
    for (int i = 0; i < valid.length; i++) {
      int code = valid[i];
      all.add(c("7.7." + (i + 1), "close with valid code " + code + ": close 1000", p -> {
        p.send(FIN | CLOSE, closePayload(code, ""));
        p.expectClose(1000);
      }));
    }
    int[] invalid = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999};
    for (int i = 0; i < invalid.length; i++) {
      int code = invalid[i];
      all.add(c("7.9." + (i + 1), "close with invalid code " + code + ": close 1002", p -> {
        p.send(FIN | CLOSE, closePayload(code, ""));
        p.expectClose(1002);
      }));
    }
    int[] outOfRange = {5000, 65535};
    for (int i = 0; i < outOfRange.length; i++) {
      int code = outOfRange[i];
      all.add(c("7.13." + (i + 1), "close with out-of-range code " + code + ": close 1002", p -> {
        p.send(FIN | CLOSE, closePayload(code, ""));
        p.expectClose(1002);
      }));
    }
  }

  // ------------------------------------------------------------------ 9: limits (§5.4, §10.4)

  private static void limits(List<Arguments> all) {
    int[] sizes = {64 * 1024, 256 * 1024, MAX};
    for (int i = 0; i < sizes.length; i++) {
      int n = sizes[i];
      all.add(c("9.1." + (i + 1), "text of " + n / 1024 + " KiB in one frame: echoed", p -> p.echo(echoOfLength(n))));
    }
    all.add(c("9.1.4", "text of max-message-size + 1 in one frame: close 1009", p -> {
      p.send(FIN | TEXT, echoOfLength(MAX + 1));
      p.expectClose(1009);
    }));
    all.add(c("9.1.5", "a frame header declaring 2^62 bytes: close 1009 before any payload", p -> {
      p.sendRaw(new byte[] {(byte) (FIN | TEXT), (byte) (0x80 | 127), 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
      p.expectClose(1009);
    }));
    all.add(c("9.2.1", "binary of 64 KiB: answered unsupported", p -> {
      p.send(FIN | BINARY, new byte[64 * 1024]);
      assertThat(p.nextText()).as("answer").contains("\"code\":\"unsupported\"");
    }));
    int[] fragments = {4 * 1024, 64 * 1024};
    for (int i = 0; i < fragments.length; i++) {
      int size = fragments[i];
      all.add(c("9.4." + (i + 1), "text of 1 MiB in fragments of " + size / 1024 + " KiB: echoed whole", p -> {
        byte[] m = echoOfLength(MAX);
        for (int from = 0; from < m.length; from += size) {
          int to = Math.min(m.length, from + size);
          p.send((to == m.length ? FIN : 0) | (from == 0 ? TEXT : CONT), Arrays.copyOfRange(m, from, to));
        }
        assertThat(p.nextText()).as("echo").isEqualTo(new String(m, StandardCharsets.UTF_8));
      }));
    }
    all.add(c("9.4.3", "fragments adding up past max-message-size: close 1009", p -> {
      byte[] part = new byte[256 * 1024];
      Arrays.fill(part, (byte) 'x');
      p.send(TEXT, part);
      for (int i = 0; i < 4; i++) {
        p.send(CONT, part);
      }
      p.expectClose(1009);
    }));
  }

  // ------------------------------------------------------------------ H: the opening handshake (§4.2.1, §4.2.2)

  private static void handshake(List<Arguments> all) {
    String key = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3's sample
    all.add(c("H.1", "the RFC's sample key: 101 with Sec-WebSocket-Accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", p -> {
      RawWebSocket.Answer a = p.upgrade("GET /ws HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade",
          "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13");
      assertThat(a.code()).as("status").isEqualTo(101);
      assertThat(a.headers().get("Sec-WebSocket-Accept")).as("accept").isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }));
    all.add(c("H.2", "Upgrade and Connection tokens in any case, among others: 101", p ->
        assertThat(p.upgrade("GET /ws HTTP/1.1", "Host: x", "Upgrade: WebSocket", "Connection: keep-alive, UPGRADE",
            "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13").code()).as("status").isEqualTo(101)));
    String[][] bad = {
        {"an HTTP/1.0 request", "GET /ws HTTP/1.0"},
        {"a POST", "POST /ws HTTP/1.1"},
        {"no Host header", "-Host"},
        {"no Upgrade header", "-Upgrade"},
        {"Upgrade: h2c", "Upgrade: h2c"},
        {"Connection without the upgrade token", "Connection: keep-alive"},
        {"no Sec-WebSocket-Key", "-Sec-WebSocket-Key"},
        {"a key that is not base64", "Sec-WebSocket-Key: not base64!"},
        {"a key of 15 bytes", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA"},
        {"a key of 17 bytes", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA="},
        {"a key of 16 bytes in unpadded base64", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"},
    };
    for (int i = 0; i < bad.length; i++) {
      String[] b = bad[i];
      all.add(c("H." + (i + 3), "upgrade with " + b[0] + ": 400", p ->
          assertThat(p.upgrade(with(key, b[1])).code()).as("status for " + b[0]).isEqualTo(400)));
    }
    all.add(c("H.14", "Sec-WebSocket-Version 8: 426 with Sec-WebSocket-Version: 13", p -> {
      RawWebSocket.Answer a = p.upgrade(with(key, "Sec-WebSocket-Version: 8"));
      assertThat(a.code()).as("status").isEqualTo(426);
      assertThat(a.headers().get("Sec-WebSocket-Version")).as("supported version").isEqualTo("13");
    }));
    all.add(c("H.15", "no Sec-WebSocket-Version: 426", p ->
        assertThat(p.upgrade(with(key, "-Sec-WebSocket-Version")).code()).as("status").isEqualTo(426)));
  }

  /** The valid upgrade request with one line replaced (same header name), added, or removed ("-Name"). */
  private static String[] with(String key, String change) {
    List<String> lines = new ArrayList<>(List.of("GET /ws HTTP/1.1", "Host: x", "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"));
    if (change.startsWith("-")) {
      lines.removeIf(l -> l.startsWith(change.substring(1) + ":"));
    } else if (change.startsWith("GET ") || change.startsWith("POST ")) {
      lines.set(0, change);
    } else {
      String name = change.substring(0, change.indexOf(':') + 1);
      lines.replaceAll(l -> l.startsWith(name) ? change : l);
    }
    return lines.toArray(String[]::new);
  }

  // ------------------------------------------------------------------ the peer

  /** A connection's view for one case. */
  static final class Peer {
    private final RawWebSocket ws;

    Peer(RawWebSocket ws) {
      this.ws = ws;
    }

    void send(int firstByte, byte[] payload) throws IOException {
      ws.sendFrame(firstByte, payload);
    }

    void sendRaw(byte[] bytes) throws IOException {
      ws.sendRaw(bytes);
    }

    void sendChopped(byte[] bytes, int chop) throws IOException {
      for (int from = 0; from < bytes.length; from += chop) {
        ws.sendRaw(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + chop)));
      }
    }

    /** The next data frame, which must be text (server pings are skipped). */
    String nextText() throws IOException {
      RawWebSocket.Frame f = nextNonPing();
      assertThat(f.opcode()).as("opcode of the next frame (" + describe(f) + ")").isEqualTo(TEXT);
      return new String(f.payload(), StandardCharsets.UTF_8);
    }

    byte[] nextPong() throws IOException {
      RawWebSocket.Frame f = nextNonPing();
      assertThat(f.opcode()).as("opcode of the next frame (" + describe(f) + ")").isEqualTo(PONG);
      return f.payload();
    }

    void echo(byte[] request) throws IOException {
      send(FIN | TEXT, request);
      assertThat(nextText()).as("echo").isEqualTo(new String(request, StandardCharsets.UTF_8));
    }

    /** The connection still serves: a ping request gets its pong reply as the next frame. */
    void expectOpen() throws IOException {
      send(FIN | TEXT, ascii("{\"op\":\"ping\",\"id\":\"open?\"}"));
      assertThat(nextText()).as("the connection still serves").isEqualTo("{\"op\":\"pong\",\"id\":\"open?\"}");
    }

    /** A close frame with {@code code} (data and pongs before it are skipped), then the end of the stream. */
    void expectClose(int code) throws IOException {
      RawWebSocket.Frame close = ws.readUntilClose();
      assertThat(close).as("a close frame before the stream ends").isNotNull();
      assertThat(close.closeCode()).as("close code").isEqualTo(code);
      assertThat(ws.awaitEof()).as("the server ends the stream after its close frame").isTrue();
    }

    RawWebSocket.Answer upgrade(String... lines) throws IOException {
      return RawWebSocket.request(server.wsPort(), String.join("\r\n", lines) + "\r\n\r\n");
    }

    private RawWebSocket.Frame nextNonPing() throws IOException {
      RawWebSocket.Frame f;
      do {
        f = ws.readFrame();
      } while (f.opcode() == PING);
      return f;
    }

    private static String describe(RawWebSocket.Frame f) {
      return f.opcode() == CLOSE ? "close " + f.closeCode() : "opcode " + f.opcode() + ", " + f.payload().length + " bytes";
    }
  }

  // ------------------------------------------------------------------ payloads

  private static byte[] echo(String data) {
    return ascii("{\"op\":\"echo\",\"data\":\"" + data + "\"}");
  }

  /** An echo request of exactly {@code n} bytes (n ≥ 24). */
  private static byte[] echoOfLength(int n) {
    String head = "{\"op\":\"echo\",\"data\":\"";
    return ascii(head + "x".repeat(n - head.length() - 2) + "\"}");
  }

  private static byte[] closePayload(int code, String reason) {
    return concat(new byte[] {(byte) (code >>> 8), (byte) code}, reason.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] hex(String h) {
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
