package dev.keel.load.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection, WebSocket or framed TCP. Sends compact JSON requests, answers heartbeats
 * (unless silenced), and records how it ended.
 *
 * <p>Usage: <code>conn.request("{\"op\":\"sub\",\"topic\":\"t\"").get(...)</code>; {@code conn.reset()}.
 */
public abstract class Conn {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a client-initiated WebSocket close may wait for the server's echo before closing anyway. */
  static final long CLOSE_ECHO_TIMEOUT_MS = 2_000;

  final Channel channel;
  final ConnListener listener;
  final CompletableFuture<Conn> ready = new CompletableFuture<>();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final long openedNanos = System.nanoTime();
  volatile boolean silent;
  private volatile String endedBy;
  private volatile boolean clientEnded;
  /** Scenario state hung on the connection (e.g. its subscriber record). */
  public volatile Object attachment;

  Conn(Channel channel, ConnListener listener) {
    this.channel = channel;
    this.listener = listener;
  }

  public abstract Transport transport();

  /** Writes one JSON object as a frame. */
  public abstract void send(String json);

  /** Writes one raw frame payload (the abuse scenario's oversized and binary frames). */
  public abstract void sendPayload(ByteBuf payload, boolean binary);

  /** Sends a request with a fresh {@code id}; {@code jsonWithoutClosingBrace} is like <code>{"op":"ping"</code>. */
  public CompletableFuture<JsonNode> request(String jsonWithoutClosingBrace) {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    send(jsonWithoutClosingBrace + ",\"id\":" + id + "}");
    if (!channel.isActive()) {
      failPending();
    }
    return f;
  }

  public CompletableFuture<Conn> ready() {
    return ready;
  }

  public Channel channel() {
    return channel;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public boolean isWritable() {
    return channel.isWritable();
  }

  public long ageNanos() {
    return System.nanoTime() - openedNanos;
  }

  /** How the connection ended, e.g. "client close", "server close 1008 slow consumer", "server error idle_timeout". */
  public String endedBy() {
    return endedBy;
  }

  /** Whether this side ended it (close or reset) rather than the server. */
  public boolean endedByClient() {
    return clientEnded;
  }

  /** Stops answering heartbeats and sending anything: the server's idle timeout should end it. */
  public void goSilent() {
    silent = true;
  }

  /** Stops reading: the server's queue for this connection backs up until its slow-consumer rule cuts it. */
  public void pause() {
    channel.config().setAutoRead(false);
  }

  public void resume() {
    channel.config().setAutoRead(true);
    channel.read();
  }

  /** A clean close: a WebSocket close frame 1000 (then the server's echo), or a TCP FIN. */
  public void closeNormally() {
    markClientEnd("client close");
    closeCleanly();
  }

  abstract void closeCleanly();

  /** An abrupt close: SO_LINGER 0, so the kernel sends RST. */
  public void reset() {
    markClientEnd("client reset");
    if (channel.isActive()) {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    }
    channel.close();
  }

  /** Half-close: FIN our side, keep reading (a peer that stops sending but is still there). */
  public void shutdownOutput() {
    ((DuplexChannel) channel).shutdownOutput();
  }

  void markClientEnd(String how) {
    if (endedBy == null) {
      clientEnded = true;
      endedBy = how;
    }
  }

  void markServerEnd(String how) {
    if (endedBy == null) {
      endedBy = how;
    }
  }

  void scheduleForceClose() {
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, CLOSE_ECHO_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** A complete JSON message from the server (event loop). */
  void onJson(ByteBuf json) {
    if (Frames.isMsg(Frames.head(json))) {
      listener.onMsg(this, json);
      return;
    }
    JsonNode reply;
    try {
      reply = JSON.readTree(json.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return; // not ours to judge: the abuse scenario reads raw replies through onReply only
    }
    if ("error".equals(reply.path("op").asText()) && transport() == Transport.TCP
        && isClosingCode(reply.path("code").asText())) {
      markServerEnd("server error " + reply.path("code").asText());
    }
    JsonNode id = reply.get("id");
    if (id != null && id.canConvertToLong()) {
      CompletableFuture<JsonNode> f = pending.remove(id.asLong());
      if (f != null) {
        f.complete(reply);
      }
    }
    listener.onReply(this, reply);
  }

  private static boolean isClosingCode(String code) {
    return switch (code) {
      case "idle_timeout", "handshake_timeout", "slow_consumer", "too_large", "rate_limited", "shutdown",
           "internal" -> true;
      default -> false;
    };
  }

  void onInactive() {
    markServerEnd("closed by server");
    failPending();
    if (!ready.isDone()) {
      ready.completeExceptionally(new IOException("closed before ready: " + endedBy));
    }
    listener.onClosed(this);
  }

  private void failPending() {
    for (Long id : pending.keySet()) {
      CompletableFuture<JsonNode> f = pending.remove(id);
      if (f != null) {
        f.completeExceptionally(new IOException("connection closed: " + endedBy));
      }
    }
  }
}
