package dev.keel.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.api.CloseReason;
import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.Topics;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The chat: rooms, nicknames, and the last {@value #HISTORY} lines of each room. Lines fan out
 * through Keel's topics ({@code room.NAME}), so a line is encoded once for all of a room's members.
 *
 * <p>Client to server (one JSON object per WebSocket text frame):
 * {@code {"type":"join","room":"lobby","nick":"ann"}}, {@code {"type":"say","text":"hi"}}.
 * Server to client: {@code {"type":"joined","room":R,"nick":N,"history":[line...]}},
 * {@code {"type":"error","message":M}}, and each room line as a Keel topic message
 * {@code {"op":"msg","topic":"room.R","seq":S,"data":{"nick":N,"text":T,"ts":MILLIS}}}.
 */
final class ChatHandler implements Handler {
  static final int HISTORY = 50;
  /** Rooms live forever (their history is the point), so their number is bounded. */
  static final int MAX_ROOMS = 100;
  static final int MAX_LINE = 500;
  private static final Pattern ROOM = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Pattern NICK = Pattern.compile("[A-Za-z0-9_-]{1,24}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One room's recent lines. Guarded by its lock, which also orders join against say. A lock rather
   * than a monitor: it is held across sends, which wait, and a virtual thread waiting inside
   * {@code synchronized} pins its carrier on Java 21.
   */
  private static final class Room {
    final ReentrantLock lock = new ReentrantLock();
    final String topic;
    final ArrayDeque<JsonNode> lines = new ArrayDeque<>(HISTORY);

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
      error(c, "send one JSON object per message");
      return;
    }
    if (req == null || !req.isObject()) {
      error(c, "send one JSON object per message");
      return;
    }
    switch (req.path("type").asText()) {
      case "join" -> join(c, req.path("room").asText(), req.path("nick").asText());
      case "say" -> say(c, req.path("text").asText());
      default -> error(c, "type must be join or say");
    }
  }

  private void join(Connection c, String roomName, String nick) {
    if (!ROOM.matcher(roomName).matches()) {
      error(c, "room: 1 to 32 of a-z 0-9 -");
      return;
    }
    if (!NICK.matcher(nick).matches()) {
      error(c, "nick: 1 to 24 of A-Z a-z 0-9 _ -");
      return;
    }
    Long owner = nicks.putIfAbsent(nick, c.id());
    if (owner != null && owner != c.id()) {
      error(c, "nick " + nick + " is taken");
      return;
    }
    Room room = rooms.get(roomName);
    if (room == null) {
      if (rooms.size() >= MAX_ROOMS) {
        releaseIfNew(c, nick);
        error(c, "too many rooms (at most " + MAX_ROOMS + ")");
        return;
      }
      room = rooms.computeIfAbsent(roomName, Room::new);
    }
    String oldNick = (String) c.attributes().put("nick", nick);
    if (oldNick != null && !oldNick.equals(nick)) {
      nicks.remove(oldNick, c.id());
    }
    leave(c, oldNick == null ? nick : oldNick);
    room.lock.lock();
    try {
      // Subscribing, taking the history and queueing the reply under the room's lock: a line is
      // either in the history or arrives after "joined", never both, never neither.
      if (!topics.subscribe(c, room.topic)) {
        error(c, "cannot join now");
        return;
      }
      c.attributes().put("room", roomName);
      ObjectNode joined = JSON.createObjectNode().put("type", "joined").put("room", roomName).put("nick", nick);
      ArrayNode history = joined.putArray("history");
      room.lines.forEach(history::add);
      c.send(joined.toString());
    } finally {
      room.lock.unlock();
    }
    post(room, "*", nick + " joined");
  }

  private void say(Connection c, String text) {
    String roomName = (String) c.attributes().get("room");
    if (roomName == null) {
      error(c, "join a room first");
      return;
    }
    if (text.isBlank() || text.length() > MAX_LINE) {
      error(c, "text: 1 to " + MAX_LINE + " characters");
      return;
    }
    post(rooms.get(roomName), (String) c.attributes().get("nick"), text);
  }

  /** Adds a line to the room's history and publishes it to the members, in one order for both. */
  private void post(Room room, String nick, String text) {
    ObjectNode line = JSON.createObjectNode().put("nick", nick).put("text", text).put("ts", System.currentTimeMillis());
    room.lock.lock();
    try {
      if (room.lines.size() == HISTORY) {
        room.lines.pollFirst();
      }
      room.lines.addLast(line);
      topics.publish(room.topic, line.toString());
    } finally {
      room.lock.unlock();
    }
  }

  private void leave(Connection c, String nick) {
    String old = (String) c.attributes().remove("room");
    if (old != null) {
      Room room = rooms.get(old);
      topics.unsubscribe(c, room.topic);
      post(room, "*", nick + " left");
    }
  }

  private void releaseIfNew(Connection c, String nick) {
    if (!nick.equals(c.attributes().get("nick"))) {
      nicks.remove(nick, c.id());
    }
  }

  @Override
  public void onClose(Connection c, CloseReason reason) {
    String nick = (String) c.attributes().get("nick");
    String room = (String) c.attributes().get("room");
    if (nick != null) {
      nicks.remove(nick, c.id());
    }
    if (room != null) {
      post(rooms.get(room), "*", nick + " left"); // the subscription itself ended with the connection
    }
  }

  private static void error(Connection c, String message) {
    c.send(JSON.createObjectNode().put("type", "error").put("message", message).toString());
  }

  /** The rooms' names (for tests). */
  List<String> roomNames() {
    return List.copyOf(rooms.keySet());
  }
}
