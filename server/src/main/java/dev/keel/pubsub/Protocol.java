package dev.keel.pubsub;

import dev.keel.api.Recovery;
import dev.keel.api.StreamPosition;
import dev.keel.api.TopicNames;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Keel's JSON wire protocol (docs/protocol.md): parses requests and writes compact replies.
 * Thread-safe; Jackson's mapper is shared.
 */
public final class Protocol {
  /**
   * Jackson's read limits, stated rather than inherited: nesting deeper than 1,000 and numbers longer
   * than 1,000 characters are invalid JSON (a long number costs quadratic time to convert). Strings
   * and documents are bounded by max-message-size before they get here.
   */
  private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
      .maxNestingDepth(1000).maxNumberLength(1000).build();

  static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().streamReadConstraints(LIMITS).build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      // Numbers pass through as written (1.50 stays 1.50, no rounding through a double).
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

  private Protocol() {}

  /**
   * One parsed client request; {@code id}, {@code data} and {@code since} are null when absent.
   *
   * @param since a {@code sub}'s stream position ({@code "since":{"epoch":E,"seq":N}}; {@code {}}: the
   *     position only, an epoch of null)
   */
  record Request(String op, String topic, JsonNode data, JsonNode id, StreamPosition since) {
    Request(String op, String topic, JsonNode data, JsonNode id) {
      this(op, topic, data, id, null);
    }
  }

  static Request parse(byte[] payload) throws ProtocolException {
    JsonNode root = readTree(payload);
    if (root == null || !root.isObject()) {
      throw new ProtocolException("bad_request", "a message must be one JSON object", null);
    }
    JsonNode id = root.get("id");
    JsonNode op = root.get("op");
    if (op == null || !op.isTextual()) {
      throw new ProtocolException("bad_request", "missing field: op", id);
    }
    String opName = op.textValue();
    return switch (opName) {
      case "sub" -> new Request(opName, topic(root, id), null, id, since(root, id));
      case "unsub" -> new Request(opName, topic(root, id), null, id);
      case "pub" -> new Request(opName, topic(root, id), data(root, id), id);
      case "echo" -> new Request(opName, null, data(root, id), id);
      case "ping" -> new Request(opName, null, null, id);
      default -> throw new ProtocolException("bad_request", "unknown op: " + truncate(opName), id);
    };
  }

  /** Parses an HTTP publish body {@code {"topic":T,"data":ANY}}. */
  static Request parsePublishBody(byte[] body) throws ProtocolException {
    JsonNode root = readTree(body);
    if (root == null || !root.isObject()) {
      throw new ProtocolException("bad_request", "the body must be one JSON object", null);
    }
    return new Request("pub", topic(root, null), data(root, null), null);
  }

  /**
   * Any parse failure is a bad request. Jackson reports most as an IOException, but a number whose
   * exponent overflows a BigDecimal ({@code 0.1e-2147483647}) as a NumberFormatException: it must not
   * become an internal error (HTTP 500, WebSocket 1011) and a stack trace.
   */
  private static JsonNode readTree(byte[] json) throws ProtocolException {
    try {
      return JSON.readTree(json);
    } catch (IOException | IllegalArgumentException | ArithmeticException e) {
      String why = e instanceof NumberFormatException || e instanceof ArithmeticException ? ": number out of range" : "";
      throw new ProtocolException("bad_request", "invalid JSON" + why, null);
    }
  }

  private static String topic(JsonNode root, JsonNode id) throws ProtocolException {
    JsonNode t = root.get("topic");
    if (t == null || !t.isTextual()) {
      throw new ProtocolException("bad_request", "missing field: topic", id);
    }
    if (!TopicNames.isValid(t.textValue())) {
      throw new ProtocolException("bad_request",
          "invalid topic: use 1 to 128 characters from A-Z a-z 0-9 _ . : / -", id);
    }
    return t.textValue();
  }

  /** {@code since}: absent (null), {@code {}} (position only), or an epoch string and a seq of 0 or more. */
  private static StreamPosition since(JsonNode root, JsonNode id) throws ProtocolException {
    JsonNode since = root.get("since");
    if (since == null || since.isNull()) {
      return null;
    }
    if (!since.isObject()) {
      throw new ProtocolException("bad_request", "invalid since: an object {\"epoch\":E,\"seq\":N} or {}", id);
    }
    JsonNode epoch = since.get("epoch");
    JsonNode seq = since.get("seq");
    if (epoch == null && seq == null) {
      return new StreamPosition(null, 0);
    }
    if (epoch == null || !epoch.isTextual() || epoch.textValue().length() > 64) {
      throw new ProtocolException("bad_request", "invalid since: epoch must be the string a subscribed reply gave", id);
    }
    if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 0) {
      throw new ProtocolException("bad_request", "invalid since: seq must be an integer of 0 or more", id);
    }
    return new StreamPosition(epoch.textValue(), seq.longValue());
  }

  private static JsonNode data(JsonNode root, JsonNode id) throws ProtocolException {
    JsonNode d = root.get("data");
    if (d == null) {
      throw new ProtocolException("bad_request", "missing field: data", id);
    }
    return d;
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /** The compact JSON bytes of {@code node}. */
  static byte[] compact(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code {"op":OP[,"topic":T][,"data":D][,"id":X]}}. */
  static ByteBuf reply(ByteBufAllocator alloc, String op, String topic, JsonNode data, JsonNode id) {
    return write(alloc, 64, g -> {
      g.writeStringField("op", op);
      if (topic != null) {
        g.writeStringField("topic", topic);
      }
      if (data != null) {
        g.writeFieldName("data");
        g.writeTree(data);
      }
      writeId(g, id);
    });
  }

  /**
   * {@code {"op":"subscribed","topic":T,"epoch":E,"seq":S[,"recovered":B][,"reason":R][,"id":X]}}: the
   * answer to a {@code sub} with {@code since}; {@code recovered} only when recovery was attempted.
   */
  static String subscribed(String topic, Recovery r, JsonNode id) {
    ByteBuf buf = write(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 128, g -> {
      g.writeStringField("op", "subscribed");
      g.writeStringField("topic", topic);
      g.writeStringField("epoch", r.epoch());
      g.writeNumberField("seq", r.seq());
      if (r.attempted()) {
        g.writeBooleanField("recovered", r.recovered());
      }
      if (r.reason() != null) {
        g.writeStringField("reason", r.reason());
      }
      writeId(g, id);
    });
    try {
      return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
    } finally {
      buf.release();
    }
  }

  /** {@code {"op":"error","code":C,"message":M[,"id":X]}}. */
  static ByteBuf error(ByteBufAllocator alloc, String code, String message, JsonNode id) {
    return write(alloc, 96, g -> {
      g.writeStringField("op", "error");
      g.writeStringField("code", code);
      g.writeStringField("message", message);
      writeId(g, id);
    });
  }

  private static void writeId(JsonGenerator g, JsonNode id) throws IOException {
    if (id != null) {
      g.writeFieldName("id");
      g.writeTree(id);
    }
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  /** One compact JSON object written straight into a pooled buffer, released if writing fails. */
  private static ByteBuf write(ByteBufAllocator alloc, int sizeHint, Fields fields) {
    ByteBuf buf = alloc.buffer(sizeHint);
    boolean ok = false;
    try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf))) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
      ok = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!ok) {
        buf.release();
      }
    }
    return buf;
  }
}
