package dev.keel.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.api.CloseReason;
import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.Recovery;
import dev.keel.api.StreamPosition;
import dev.keel.api.Topics;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat, speaking Keel's own pub/sub protocol (docs/protocol.md) so that the page uses Keel's
 * JavaScript client (clients/js) unchanged: a room is the topic {@code room.NAME}; a line is a
 * {@code pub} whose data is {@code {"nick":N,"text":T}}. The protocol is the stock one, but every
 * request passes through here, so the chat decides who may post what where: only to a room the
 * connection is in, only under a nickname it holds, only a line of at most {@value #MAX_LINE}
 * characters; the line published is the chat's own ({@code {"nick":N,"text":T,"ts":MILLIS}}), never
 * the client's bytes. Nothing else publishes into {@code room.*}: this server has no HTTP publish route.
 *
 * <p>History is Keel's ({@code history-size} {@value #HISTORY}): a client that reconnects subscribes
 * with {@code since} and gets what it missed, once and in order; a newcomer's {@code since:{}} (the
 * client's first subscription) gets the room's last lines the same way (see {@link #subscribe}).
 */
final class ChatHandler implements Handler {
  static final int HISTORY = 50;
  /** Rooms' topics outlive their members with their history, so their number is bounded. */
  static final int MAX_ROOMS = 100;
  static final int MAX_LINE = 500;
  private static final Pattern ROOM_TOPIC = Pattern.compile("room\\.([a-z0-9-]{1,32})");
  private static final Pattern NICK = Pattern.compile("[A-Za-z0-9_-]{1,24}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One room: the lock orders its posts against its subscriptions, so that the position known here
   * ({@code epoch}, {@code seq}: the topic's, as of the last subscription, plus the posts since) is
   * the topic's own. A lock rather than a monitor: it is held while a subscription hops to the
   * connection's event loop, and a virtual thread waiting inside {@code synchronized} pins its carrier.
   */
  private static final class Room {
    final ReentrantLock lock = new ReentrantLock();
    final String topic;
    String epoch;
    long seq;

    Room(String name) {
      this.topic = "room." + name;
    }
  }

  private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
  /** Nickname to the id of the connection using it: nicknames are unique while connected. */
  private final ConcurrentHashMap<String, Long> nicks = new ConcurrentHashMap<>();
  private final Topics topics;

  ChatHandler(Topics topics) {
    this.topics = topics;
  }

  @Override
  public void onMessage(Connection c, Message m) {
    JsonNode req;
    try {
      req = JSON.readTree(m.bytes());
    } catch (IOException e) {
      c.reply(Replies.error("bad_request", "invalid JSON", null));
      return;
    }
    if (req == null || !req.isObject()) {
      c.reply(Replies.error("bad_request", "a message must be one JSON object", null));
      return;
    }
    JsonNode id = req.get("id");
    String op = req.path("op").asText();
    if (op.equals("ping")) {
      c.reply(Replies.of("pong", null, id));
      return;
    }
    if (!op.equals("sub") && !op.equals("unsub") && !op.equals("pub")) {
      c.reply(Replies.error("bad_request", "unknown op: " + op + " (this chat takes sub, unsub, pub, ping)", id));
      return;
    }
    String topic = req.path("topic").asText();
    Matcher room = ROOM_TOPIC.matcher(topic);
    if (!room.matches()) {
      c.reply(Replies.error("forbidden", "rooms are topics room.NAME, NAME 1 to 32 of a-z 0-9 -", id));
      return;
    }
    switch (op) {
      case "sub" -> subscribe(c, room.group(1), req.get("since"), id);
      case "unsub" -> unsubscribe(c, room.group(1), id);
      default -> post(c, room.group(1), req.get("data"), id);
    }
  }

  /**
   * Joins a room. With {@code since:{"epoch":E,"seq":N}} (a client coming back) Keel recovers from
   * there. With {@code since:{}} (a newcomer) the chat asks Keel to recover from its own position
   * {@value #HISTORY} lines back, so the room's last lines come as a replay, followed by the live
   * ones with no gap and no duplicate; when that position is stale (the room's history expired and
   * it began a new epoch) the newcomer gets the position only.
   */
  private void subscribe(Connection c, String name, JsonNode since, JsonNode id) {
    if (since != null && !since.isObject()) {
      c.reply(Replies.error("bad_request", "invalid since: an object {} or {\"epoch\":E,\"seq\":N}", id));
      return;
    }
    boolean resume = since != null && since.has("epoch");
    if (resume && (!since.get("epoch").isTextual() || since.get("epoch").asText().length() > 64
        || !since.path("seq").canConvertToLong() || !since.path("seq").isIntegralNumber() || since.get("seq").asLong() < 0)) {
      c.reply(Replies.error("bad_request", "invalid since: epoch a string, seq an integer of 0 or more", id));
      return;
    }
    Room existing = rooms.get(name);
    if (existing == null && rooms.size() >= MAX_ROOMS) {
      c.reply(Replies.error("limit_exceeded", "too many rooms (at most " + MAX_ROOMS + ")", id));
      return;
    }
    Room room = existing != null ? existing : rooms.computeIfAbsent(name, Room::new);
    room.lock.lock();
    try {
      Recovery got;
      if (resume) {
        StreamPosition at = new StreamPosition(since.get("epoch").asText(), since.get("seq").asLong());
        got = topics.subscribe(c, room.topic, at, r -> Replies.subscribed(room.topic, r, true, id));
      } else {
        StreamPosition back = new StreamPosition(room.epoch, Math.max(0, room.seq - HISTORY));
        // recovered:true tells the client that the replay follows (the room's last lines); a reply
        // without it is a position, after which the client expects live messages only.
        got = topics.subscribe(c, room.topic, back, r -> Replies.subscribed(room.topic, r, r.recovered(), id));
      }
      if (got == null) {
        c.reply(Replies.error("limit_exceeded", "cannot join now (closed, or max-subscriptions)", id));
        return;
      }
      room.epoch = got.epoch();
      room.seq = got.seq();
      rooms(c).add(name);
    } finally {
      room.lock.unlock();
    }
  }

  private void unsubscribe(Connection c, String name, JsonNode id) {
    Room room = rooms.get(name);
    if (room != null && rooms(c).remove(name)) {
      topics.unsubscribe(c, room.topic);
      leftNotice(c, room);
    }
    c.reply(Replies.of("unsubscribed", "room." + name, id));
  }

  /** A line: checked, then published as the chat's own JSON, answered {@code ok} once published. */
  private void post(Connection c, String name, JsonNode data, JsonNode id) {
    if (!rooms(c).contains(name)) {
      c.reply(Replies.error("forbidden", "join room." + name + " (sub) before posting to it", id));
      return;
    }
    String nick = data == null ? "" : data.path("nick").asText();
    String text = data == null ? "" : data.path("text").asText();
    if (!NICK.matcher(nick).matches()) {
      c.reply(Replies.error("bad_request", "data.nick: 1 to 24 of A-Z a-z 0-9 _ -", id));
      return;
    }
    if (text.isBlank() || text.length() > MAX_LINE) {
      c.reply(Replies.error("bad_request", "data.text: 1 to " + MAX_LINE + " characters", id));
      return;
    }
    Room room = rooms.get(name);
    if (!nick.equals(c.attributes().get("nick"))) {
      Long owner = nicks.putIfAbsent(nick, c.id());
      if (owner != null && owner != c.id()) {
        c.reply(Replies.error("forbidden", "nick " + nick + " is taken", id));
        return;
      }
      Object old = c.attributes().put("nick", nick);
      if (old != null) {
        nicks.remove(old, c.id());
      }
      publish(room, "*", nick + " joined");
    }
    publish(room, nick, text);
    if (id != null) {
      c.reply(Replies.of("ok", null, id));
    }
  }

  /** Publishes a line under the room's lock, which keeps the room's known position exact. */
  private void publish(Room room, String nick, String text) {
    String line = JSON.createObjectNode().put("nick", nick).put("text", text).put("ts", System.currentTimeMillis())
        .toString();
    room.lock.lock();
    try {
      topics.publish(room.topic, line);
      room.seq++;
    } finally {
      room.lock.unlock();
    }
  }

  private void leftNotice(Connection c, Room room) {
    Object nick = c.attributes().get("nick");
    if (nick != null) {
      publish(room, "*", nick + " left");
    }
  }

  @SuppressWarnings("unchecked")
  private static Set<String> rooms(Connection c) {
    return (Set<String>) c.attributes().computeIfAbsent("rooms", k -> ConcurrentHashMap.newKeySet());
  }

  @Override
  public void onClose(Connection c, CloseReason reason) {
    Object nick = c.attributes().get("nick");
    if (nick != null) {
      nicks.remove(nick, c.id());
    }
    for (String name : rooms(c)) {
      leftNotice(c, rooms.get(name)); // the subscriptions themselves ended with the connection
    }
  }

  /** The rooms' names (for tests). */
  List<String> roomNames() {
    return List.copyOf(rooms.keySet());
  }
}
