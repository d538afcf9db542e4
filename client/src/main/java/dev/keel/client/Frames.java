package dev.keel.client;

import java.util.Map;

/** What the client does with each frame from the server; runs on the client's thread. */
final class Frames {
  private Frames() {}

  static void handle(KeelClient c, String text) {
    Map<String, String> f;
    try {
      f = Json.object(text);
    } catch (IllegalArgumentException notJson) {
      c.event(new ClientEvent.ServerError("bad_frame", "not a JSON object: " + text));
      return;
    }
    String op = Json.unquote(f.get("op"));
    if (op == null) {
      return;
    }
    switch (op) {
      case "msg" -> message(c, f);
      case "subscribed" -> subscribed(c, f);
      case "ok" -> c.complete(Json.longOr(f.get("id"), -1), null);
      case "error" -> error(c, f);
      case "authenticated" -> c.event(new ClientEvent.TokenRefreshed(Json.longOr(f.get("exp"), -1)));
      default -> { } // pong, unsubscribed, and whatever a newer server adds
    }
  }

  private static void message(KeelClient c, Map<String, String> f) {
    String topic = Json.unquote(f.get("topic"));
    TopicState st = topic == null ? null : c.topics.get(topic);
    if (st == null) {
      return; // unsubscribed meanwhile
    }
    long seq = Json.longOr(f.get("seq"), -1);
    if (st.lastSeq >= 0 && seq <= st.lastSeq) {
      return; // already handed on: never twice
    }
    if (st.lastSeq >= 0 && seq > st.lastSeq + 1) {
      c.event(new ClientEvent.Gap(topic, st.lastSeq + 1, seq));
    }
    st.lastSeq = seq;
    try {
      st.handler.accept(new Message(topic, seq, f.get("data")));
    } catch (RuntimeException e) {
      c.event(new ClientEvent.HandlerFailed(topic, seq, e));
    }
  }

  private static void subscribed(KeelClient c, Map<String, String> f) {
    String topic = Json.unquote(f.get("topic"));
    TopicState st = topic == null ? null : c.topics.get(topic);
    if (st == null) {
      return;
    }
    String epoch = Json.unquote(f.get("epoch"));
    long seq = Json.longOr(f.get("seq"), -1);
    boolean attempted = f.containsKey("recovered");
    boolean recovered = "true".equals(f.get("recovered"));
    String reason = Json.unquote(f.get("reason"));
    if (epoch != null && !recovered && !"already_subscribed".equals(reason)) {
      st.lastSeq = seq; // live messages start after it; the replay (if any) continues from ours
    }
    st.epoch = epoch;
    c.event(new ClientEvent.Subscribed(topic, epoch, seq, attempted, recovered, reason));
  }

  private static void error(KeelClient c, Map<String, String> f) {
    String code = Json.unquote(f.get("code"));
    String message = Json.unquote(f.get("message"));
    String id = f.get("id");
    String subId = Json.unquote(id);
    if (subId != null && subId.startsWith("s:")) {
      String topic = subId.substring(2);
      c.topics.remove(topic);
      c.event(new ClientEvent.SubscribeFailed(topic, code, message));
    } else if (id != null && Json.longOr(id, -1) > 0) {
      c.complete(Json.longOr(id, -1), new KeelException(code, message));
    } else {
      c.event(new ClientEvent.ServerError(code, message));
    }
  }
}
