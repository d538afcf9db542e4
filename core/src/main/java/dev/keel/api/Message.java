package dev.keel.api;

import java.nio.charset.StandardCharsets;

/**
 * One inbound message: an exact-size copy of its payload, never a view into a pooled network
 * buffer, so a handler may keep it as long as it likes.
 *
 * <p>Usage: {@code if (!m.binary()) { handle(m.text()); }}
 *
 * @param bytes the payload (UTF-8 for text)
 * @param binary true for a WebSocket binary frame; WebSocket text frames and framed-TCP frames are false
 */
public record Message(byte[] bytes, boolean binary) {
  /** The payload decoded as UTF-8. */
  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public int size() {
    return bytes.length;
  }

  @Override
  public String toString() {
    return (binary ? "binary message of " : "text message of ") + bytes.length + " bytes";
  }
}
