package dev.keel.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.api.Recovery;

/**
 * The replies of Keel's pub/sub protocol (docs/protocol.md) that the chat sends, written exactly as
 * {@code keel serve} writes them, so that Keel's clients (clients/js) read them unchanged. The
 * request's {@code id}, when it had one, is written last.
 */
final class Replies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Replies() {}

  /** {@code {"op":OP[,"topic":T][,"id":X]}}: subscribed (plain), unsubscribed, ok, pong. */
  static String of(String op, String topic, JsonNode id) {
    ObjectNode o = JSON.createObjectNode().put("op", op);
    if (topic != null) {
      o.put("topic", topic);
    }
    return withId(o, id);
  }

  /**
   * {@code {"op":"subscribed","topic":T,"epoch":E,"seq":S[,"recovered":B][,"reason":R][,"id":X]}}.
   *
   * @param attempted whether to say {@code recovered} (false: a position-only reply)
   */
  static String subscribed(String topic, Recovery r, boolean attempted, JsonNode id) {
    ObjectNode o = JSON.createObjectNode().put("op", "subscribed").put("topic", topic)
        .put("epoch", r.epoch()).put("seq", r.seq());
    if (attempted) {
      o.put("recovered", r.recovered());
      if (r.reason() != null) {
        o.put("reason", r.reason());
      }
    }
    return withId(o, id);
  }

  /** {@code {"op":"error","code":C,"message":M[,"id":X]}}. */
  static String error(String code, String message, JsonNode id) {
    return withId(JSON.createObjectNode().put("op", "error").put("code", code).put("message", message), id);
  }

  private static String withId(ObjectNode o, JsonNode id) {
    if (id != null && !id.isMissingNode()) {
      o.set("id", id);
    }
    return o.toString();
  }
}
