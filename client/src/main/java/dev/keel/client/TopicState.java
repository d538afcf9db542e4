package dev.keel.client;

import java.util.function.Consumer;

/** One subscribed topic: its handler and where its stream stands. Confined to the client's thread. */
final class TopicState {
  Consumer<Message> handler;
  /** Null until a subscribed reply named one (or the server predates recovery). */
  String epoch;
  /** The last seq handed to the handler, or -1 before the first. */
  long lastSeq = -1;

  TopicState(Consumer<Message> handler) {
    this.handler = handler;
  }

  /** The {@code sub} request: with {@code since} when recovering is asked for. */
  String subscribeFrame(String topic, boolean recover) {
    String since = "";
    if (recover) {
      since = epoch != null && lastSeq >= 0
          ? ",\"since\":{\"epoch\":" + Json.quote(epoch) + ",\"seq\":" + lastSeq + "}"
          : ",\"since\":{}";
    }
    return "{\"op\":\"sub\",\"topic\":" + Json.quote(topic) + since + ",\"id\":" + Json.quote("s:" + topic) + "}";
  }
}
