package dev.keel.spi;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An HTTP endpoint on the public (HTTP + WebSocket) listener, next to the upgrade path and
 * {@code /healthz}. Requests are already bounded (headers, body at {@code max-message-size}) and
 * answered in order on a keep-alive connection: the next request waits until this one is answered.
 *
 * <p>Usage: {@code host.route(new HttpRoute("/api/publish", exchange -> exchange.respond(200, "{}")))}
 *
 * @param path the exact path served (query strings are ignored for matching)
 * @param handler called on the connection's event loop: it must not block; it answers through
 *     {@link HttpExchange#respond}, now or later, from any thread
 * @param connectRateExempt requests it accepts are served even on a connection that came faster than
 *     {@code connect-rate-per-ip} allows ({@code max-connections-per-ip} still holds): see
 *     {@link #exemptFromConnectRate}. Called on the event loop; it must be quick.
 */
public record HttpRoute(String path, Consumer<HttpExchange> handler, Predicate<HttpExchange> connectRateExempt) {
  public HttpRoute {
    Objects.requireNonNull(connectRateExempt, "connectRateExempt");
  }

  /** A route whose requests are all held to the per-address connect rate. */
  public HttpRoute(String path, Consumer<HttpExchange> handler) {
    this(path, handler, request -> false);
  }

  /**
   * This route, with requests that {@code credential} accepts exempt from the per-address connect
   * rate: a backend that proves who it is (a valid API key) may open a connection per request. Only
   * for a secret a browser cannot send by itself.
   */
  public HttpRoute exemptFromConnectRate(Predicate<HttpExchange> credential) {
    return new HttpRoute(path, handler, credential);
  }
}
