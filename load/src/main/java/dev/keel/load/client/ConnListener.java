package dev.keel.load.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;

/**
 * What a scenario hears from one connection. Called on the connection's event loop: never block.
 */
public interface ConnListener {
  /** A {@code msg} from the server; {@code json} is only valid during the call. */
  default void onMsg(Conn conn, ByteBuf json) {}

  /** Any other message (a reply or an error), parsed. */
  default void onReply(Conn conn, JsonNode reply) {}

  /** The connection ended. {@link Conn#endedBy()} says how. */
  default void onClosed(Conn conn) {}

  ConnListener NONE = new ConnListener() {};
}
