package dev.keel.client;

import java.util.HashMap;
import java.util.Map;

/**
 * Just enough JSON for the server's frames, so the client needs no library: one top-level object,
 * each field kept as its raw text (a message's {@code data} is handed on exactly as the server wrote
 * it), with readers for the few scalar fields the client looks at.
 */
final class Json {
  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  /** The fields of one object, as raw JSON text; throws IllegalArgumentException when it is not one. */
  static Map<String, String> object(String text) {
    Json j = new Json(text);
    Map<String, String> fields = new HashMap<>();
    j.space();
    j.expect('{');
    j.space();
    if (j.peek() == '}') {
      j.at++;
      return fields;
    }
    while (true) {
      j.space();
      String key = unquote(j.raw(j.at, j.skipString()));
      j.space();
      j.expect(':');
      j.space();
      int start = j.at;
      j.skipValue();
      fields.put(key, j.text.substring(start, j.at));
      j.space();
      char c = j.next();
      if (c == '}') {
        return fields;
      }
      if (c != ',') {
        throw new IllegalArgumentException("not a JSON object: " + text);
      }
    }
  }

  /** Whether {@code text} is one JSON value (checked for shape, as the server will parse it). */
  static boolean isValue(String text) {
    if (text == null) {
      return false;
    }
    Json j = new Json(text);
    try {
      j.space();
      j.skipValue();
      j.space();
      return j.at == text.length();
    } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
      return false;
    }
  }

  private String raw(int start, int end) {
    return text.substring(start, end);
  }

  private char peek() {
    if (at >= text.length()) {
      throw new IllegalArgumentException("JSON ends early");
    }
    return text.charAt(at);
  }

  private char next() {
    char c = peek();
    at++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) {
      throw new IllegalArgumentException("expected '" + c + "' at " + (at - 1));
    }
  }

  private void space() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  /** Skips a string starting at {@code at}; returns the index after its closing quote. */
  private int skipString() {
    expect('"');
    while (true) {
      char c = next();
      if (c == '\\') {
        next();
      } else if (c == '"') {
        return at;
      }
    }
  }

  private void skipValue() {
    char c = peek();
    if (c == '"') {
      skipString();
    } else if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      at++;
      space();
      if (peek() == close) {
        at++;
        return;
      }
      while (true) {
        space();
        if (c == '{') {
          skipString();
          space();
          expect(':');
          space();
        }
        skipValue();
        space();
        char n = next();
        if (n == close) {
          return;
        }
        if (n != ',') {
          throw new IllegalArgumentException("bad JSON at " + (at - 1));
        }
      }
    } else {
      int start = at;
      while (at < text.length() && "{}[],: \t\r\n".indexOf(text.charAt(at)) < 0) {
        at++;
      }
      if (at == start) {
        throw new IllegalArgumentException("bad JSON at " + at);
      }
    }
  }

  /** The text of a JSON string (its escapes resolved), or null for anything else. */
  static String unquote(String raw) {
    if (raw == null || raw.length() < 2 || raw.charAt(0) != '"') {
      return null;
    }
    StringBuilder b = new StringBuilder(raw.length());
    for (int i = 1; i < raw.length() - 1; i++) {
      char c = raw.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = raw.charAt(++i);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          b.append((char) Integer.parseInt(raw.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> b.append(e);
      }
    }
    return b.toString();
  }

  /** {@code s} as a JSON string. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static long longOr(String raw, long dflt) {
    if (raw == null) {
      return dflt;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }
}
