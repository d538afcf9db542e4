package dev.keel.client;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The listener of one WebSocket connection: joins partial text frames and hands each whole frame and
 * the end of the connection to the client's thread, asking for the next frame only once the client
 * has handled this one (so a slow handler slows the socket, and the server sees it).
 */
final class Link implements WebSocket.Listener {
  /** What the client does with what the link hears; called on the client's thread. */
  interface Sink {
    void frame(Link from, String text);

    void ended(Link from, int code, String reason);
  }

  private final Sink sink;
  private final Executor actor;
  private final StringBuilder partial = new StringBuilder();
  volatile WebSocket socket;

  Link(Sink sink, Executor actor) {
    this.sink = sink;
    this.actor = actor;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (!last) {
      webSocket.request(1);
      return null;
    }
    String text = partial.toString();
    partial.setLength(0);
    actor.execute(() -> {
      try {
        sink.frame(this, text);
      } finally {
        webSocket.request(1);
      }
    });
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    webSocket.request(1); // the protocol has no binary frames from the server
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    actor.execute(() -> sink.ended(this, statusCode, reason));
    return null; // the JDK answers the close frame
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    actor.execute(() -> sink.ended(this, 1006, String.valueOf(error.getMessage())));
  }
}
