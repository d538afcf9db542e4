package dev.keel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A real WebSocket client (the JDK's java.net.http) that collects what the server sends. */
public final class WsClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** How a connection ended: the close code and reason, or code -1 with the error for an abort. */
  public record Closed(int code, String reason) {}

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final WebSocket ws;

  private WsClient(WebSocket ws) {
    this.ws = ws;
  }

  public static WsClient connect(int port) {
    return connect(port, "");
  }

  public static WsClient connect(int port, String query) {
    return connect(port, query, false);
  }

  /** Connects to another WebSocket path on the port (e.g. the admin stream). */
  public static WsClient connect(int port, String query, String path) {
    return connect(port, path, query, false);
  }

  /** A WebSocket over TLS ({@code wss://localhost:port/ws}), trusting what {@code tls} trusts. */
  public static WsClient connectTls(int port, javax.net.ssl.SSLContext tls) {
    return open(HttpClient.newBuilder().sslContext(tls).build(), URI.create("wss://localhost:" + port + "/ws"), false);
  }

  /** A client that reads nothing until {@link #resume()}: the server's data backs up behind it. */
  public static WsClient connectPaused(int port) {
    return connect(port, "", true);
  }

  /** A client of a server whose WebSocket path is {@code path} (see {@code ws-path}). */
  public static WsClient connectPath(int port, String path) {
    return connect(port, path, "", false);
  }

  private static WsClient connect(int port, String query, boolean paused) {
    return connect(port, "/ws", query, paused);
  }

  private static WsClient connect(int port, String path, String query, boolean paused) {
    return open(HTTP, URI.create("ws://127.0.0.1:" + port + path + query), paused);
  }

  private static WsClient open(HttpClient http, URI uri, boolean paused) {
    Listener listener = new Listener(paused);
    try {
      http.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, listener)
          .get(20, TimeUnit.SECONDS);
      return listener.client;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("WebSocket connect failed: " + e.getMessage(), e);
    }
  }

  public void send(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  public void sendBinary(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The next text message, or fails after the timeout. */
  public String next(Duration timeout) {
    try {
      String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) {
        throw new AssertionError("no message within " + timeout + (closed.isDone() ? "; closed: " + closed.join() : ""));
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String next() {
    return next(Duration.ofSeconds(10));
  }

  public JsonNode nextJson() {
    return parse(next());
  }

  /** The next binary message, or fails after 10 s. */
  public byte[] nextBinary() {
    try {
      byte[] m = binaries.poll(10, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no binary message within 10 s" + (closed.isDone() ? "; closed: " + closed.join() : ""));
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A message already received, or null. */
  public String poll() {
    return messages.poll();
  }

  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the server to close the connection. */
  public Closed awaitClose(Duration timeout) {
    return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public CompletableFuture<Closed> closedFuture() {
    return closed;
  }

  /** Normal close (1000). */
  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }

  /** Drops the TCP connection without a close frame. */
  public void abort() {
    ws.abort();
  }

  /** Starts reading after {@link #connectPaused}. */
  public void resume() {
    ws.request(Long.MAX_VALUE);
  }

  private static final class Listener implements WebSocket.Listener {
    WsClient client;
    private final boolean paused;
    private final StringBuilder partial = new StringBuilder();

    Listener(boolean paused) {
      this.paused = paused;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      client = new WsClient(webSocket);
      if (!paused) {
        webSocket.request(Long.MAX_VALUE);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        client.messages.add(partial.toString());
        partial.setLength(0);
      }
      return null;
    }

    private final java.io.ByteArrayOutputStream partialBinary = new java.io.ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      partialBinary.writeBytes(chunk);
      if (last) {
        client.binaries.add(partialBinary.toByteArray());
        partialBinary.reset();
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      client.closed.complete(new Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      client.closed.complete(new Closed(-1, String.valueOf(error)));
    }
  }
}
