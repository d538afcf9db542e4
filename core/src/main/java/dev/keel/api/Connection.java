package dev.keel.api;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeoutException;

/**
 * One client connection, as a handler sees it. Thread-safe: any thread may send or close.
 *
 * <p>Sends go through the connection's bounded outbound queue under the server's
 * {@code slow-consumer-policy}, like published messages, and never wait for the peer.
 *
 * <p>Usage: {@code if (conn.send("{\"hello\":1}") != SendResult.QUEUED) { ... }}
 */
public interface Connection {
  /**
   * Unique among this server's connections, from 1, never reused. Taken when the connection is
   * admitted (before a WebSocket's upgrade response is sent), so a client that connects after another
   * client's connection was accepted has the larger id. Refused handshakes may leave gaps.
   */
  long id();

  /** {@code "ws"} or {@code "tcp"}. */
  String transport();

  SocketAddress remoteAddress();

  /**
   * Who the peer is, from its verified connect token (subject, expiry, topic permissions); null
   * when the server runs without authentication. Changes when the client refreshes its token.
   */
  Principal principal();

  /** False once the connection is closing or closed. */
  boolean isOpen();

  /**
   * Queues a text message (a WebSocket text frame, or one TCP frame) and returns at once:
   * {@code QUEUED}; {@code DROPPED} when the queue is full under {@code drop-newest} (or the message
   * alone exceeds {@code outbound-queue-bytes}); {@code CLOSED} when the connection is closed, or
   * the queue is full under {@code disconnect} (this send closed it).
   */
  SendResult send(String text);

  /** Like {@link #send(String)} for binary data: a WebSocket binary frame, or one TCP frame. */
  SendResult send(byte[] payload);

  /**
   * Queues a reply on the control lane: never dropped by the slow-consumer policy, and written
   * before any data queued ahead of it (as the pub/sub protocol's replies and errors are). Control
   * may overdraw the queue bounds at most twice; a peer that does not read even its replies is then
   * closed as a slow consumer. Returns {@code QUEUED} or {@code CLOSED}, at once.
   */
  SendResult reply(String text);

  /** Like {@link #reply(String)} for binary data: a WebSocket binary frame, or one TCP frame. */
  SendResult reply(byte[] payload);

  /**
   * Queues a text message and waits until it has been written to the socket.
   *
   * @throws TimeoutException at the deadline (the message stays queued and may still be written)
   * @throws SendFailedException if it was dropped or the connection closed first
   */
  void sendAndAwait(String text, Duration timeout)
      throws InterruptedException, TimeoutException, SendFailedException;

  /** Work tied to this connection: cancelled when it ends. */
  Scope scope();

  /** Per-connection state for the application; cleared when the connection ends, after {@code onClose}. */
  ConcurrentMap<String, Object> attributes();

  /** Closes the connection normally (WebSocket 1000); queued data is discarded. */
  void close();
}
