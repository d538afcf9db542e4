package dev.keel.pubsub;

import com.fasterxml.jackson.databind.JsonNode;

/** A request the server answers with {@code error}: the code, a message safe to show, and the request's id. */
final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String code;
  private final transient JsonNode id;

  ProtocolException(String code, String message, JsonNode id) {
    super(message, null, false, false); // no stack trace: this is an answer, not a fault
    this.code = code;
    this.id = id;
  }

  String code() {
    return code;
  }

  JsonNode id() {
    return id;
  }
}
