package dev.keel.spi;

import java.net.InetSocketAddress;

/** One HTTP request to an {@link HttpRoute}, and its one answer. */
public interface HttpExchange {
  /** {@code GET}, {@code POST}, ... */
  String method();

  /** The path and query as sent. */
  String uri();

  /** The first value of a header, or null. */
  String header(String name);

  /** The body: an exact-size copy, empty when there is none. */
  byte[] body();

  /** The client's address: the socket's peer, or the client a trusted proxy named (docs/deployment.md). */
  InetSocketAddress remoteAddress();

  /**
   * Answers with a JSON body. Call exactly once, from any thread; later calls are ignored.
   *
   * @param status an HTTP status code
   */
  void respond(int status, String json);
}
