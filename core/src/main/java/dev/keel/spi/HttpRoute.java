package dev.keel.spi;

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
 */
public record HttpRoute(String path, java.util.function.Consumer<HttpExchange> handler) {}
