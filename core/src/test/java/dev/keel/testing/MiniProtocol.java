package dev.keel.testing;

import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.StreamPosition;
import dev.keel.api.Topics;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A few JSON requests, enough for the connection layer's tests to drive a real API handler:
 * {@code ping} (answered {@code pong}), {@code echo} (its data back), {@code sub}/{@code unsub} (through
 * {@link Topics}, answered {@code subscribed}/{@code unsubscribed}) and {@code pub}. Replies go on the
 * control lane like the pub/sub protocol's. A {@code sub} with {@code "since":{"epoch":"E","seq":N}} (exactly
 * so spelt) or {@code "since":{}} recovers through {@link Topics}, answered with epoch, seq, recovered and reason. Not the pub/sub protocol (that lives in keel-server).
 */
public final class MiniProtocol implements Handler {
  private static final Pattern OP = Pattern.compile("\"op\"\\s*:\\s*\"(\\w+)\"");
  private static final Pattern TOPIC = Pattern.compile("\"topic\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern SINCE = Pattern.compile("\"since\"\\s*:\\s*\\{\"epoch\":\"([^\"]*)\",\"seq\":(\\d+)}");
  private static final Pattern DATA = Pattern.compile("\"data\"\\s*:\\s*(.*)}\\s*$");

  private final Topics topics;

  public MiniProtocol(Topics topics) {
    this.topics = topics;
  }

  @Override
  public void onMessage(Connection c, Message m) {
    String text = new String(m.bytes(), StandardCharsets.UTF_8);
    String op = group(OP, text);
    if (op == null) {
      c.reply("{\"op\":\"error\",\"code\":\"bad_request\",\"message\":\"no op\"}");
      return;
    }
    switch (op) {
      case "ping" -> c.reply("{\"op\":\"pong\"}");
      case "echo" -> c.reply("{\"op\":\"echo\",\"data\":" + group(DATA, text) + "}");
      case "sub" -> {
        String t = group(TOPIC, text);
        Matcher since = SINCE.matcher(text);
        if (since.find() || text.contains("\"since\":{}")) {
          boolean at = since.hasMatch();
          StreamPosition p = at ? new StreamPosition(since.group(1), Long.parseLong(since.group(2))) : new StreamPosition(null, 0);
          if (topics.subscribe(c, t, p, r -> "{\"op\":\"subscribed\",\"topic\":\"" + t + "\",\"epoch\":\"" + r.epoch()
              + "\",\"seq\":" + r.seq() + ",\"recovered\":" + r.recovered() + ",\"reason\":\"" + r.reason() + "\"}") == null) {
            c.reply("{\"op\":\"error\",\"code\":\"limit_exceeded\",\"message\":\"subscription limit reached\"}");
          }
          return;
        }
        c.reply(topics.subscribe(c, t) ? "{\"op\":\"subscribed\",\"topic\":\"" + t + "\"}"
            : "{\"op\":\"error\",\"code\":\"limit_exceeded\",\"message\":\"subscription limit reached\"}");
      }
      case "unsub" -> {
        String t = group(TOPIC, text);
        topics.unsubscribe(c, t);
        c.reply("{\"op\":\"unsubscribed\",\"topic\":\"" + t + "\"}");
      }
      case "pub" -> topics.publish(group(TOPIC, text), group(DATA, text));
      default -> c.reply("{\"op\":\"error\",\"code\":\"bad_request\",\"message\":\"unknown op\"}");
    }
  }

  private static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
