package dev.keel.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a {@link KeelClient} connects, reconnects and buffers. Every bound has a default, stated here
 * and in docs/clients.md.
 *
 * <p>Usage: {@code KeelClient.connect(ClientOptions.builder(URI.create("ws://localhost:8080/ws")).build())}
 *
 * @param uri the server's WebSocket URL ({@code ws://host:8080/ws}, {@code wss://...})
 * @param token called (on a virtual thread) for a connect token before each connection and before the
 *     current one expires; null when the server has no authentication
 * @param onEvent told every {@link ClientEvent}, in order, on the client's thread: keep it short
 * @param initialBackoff the first reconnect's ceiling (default 500 ms)
 * @param maxBackoff the largest ceiling (default 30 s)
 * @param connectTimeout for the TCP connect and the upgrade (default 10 s)
 * @param pingInterval after this long with nothing received, the client sends {@code ping} (default 15 s)
 * @param pingTimeout with nothing received this long after a ping, the connection is dropped and
 *     remade (default 10 s): the server's heartbeat (20 s) and idle timeout (60 s) are left well inside
 * @param tokenRefreshAhead how long before the token's {@code exp} a fresh one is asked for (default 30 s)
 * @param offlineBufferMessages publishes kept while offline, sent on reconnect (default 1,000); one more
 *     fails at once, with a {@link ClientEvent.BufferOverflow}
 * @param recover whether to resubscribe with {@code since} after a reconnect (default true)
 */
public record ClientOptions(URI uri, Supplier<String> token, Consumer<ClientEvent> onEvent, Duration initialBackoff,
    Duration maxBackoff, Duration connectTimeout, Duration pingInterval, Duration pingTimeout,
    Duration tokenRefreshAhead, int offlineBufferMessages, boolean recover) {

  public ClientOptions {
    Objects.requireNonNull(uri, "uri");
    onEvent = onEvent == null ? e -> { } : onEvent;
    positive(initialBackoff, "initialBackoff");
    positive(maxBackoff, "maxBackoff");
    positive(connectTimeout, "connectTimeout");
    positive(pingInterval, "pingInterval");
    positive(pingTimeout, "pingTimeout");
    positive(tokenRefreshAhead, "tokenRefreshAhead");
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") must be at least initialBackoff (" + initialBackoff + ")");
    }
    if (offlineBufferMessages < 0) {
      throw new IllegalArgumentException("offlineBufferMessages must be 0 or more, was " + offlineBufferMessages);
    }
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
  }

  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /** The defaults above, changed one at a time. */
  public static final class Builder {
    private final URI uri;
    private Supplier<String> token;
    private Consumer<ClientEvent> onEvent;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration pingInterval = Duration.ofSeconds(15);
    private Duration pingTimeout = Duration.ofSeconds(10);
    private Duration tokenRefreshAhead = Duration.ofSeconds(30);
    private int offlineBufferMessages = 1000;
    private boolean recover = true;

    Builder(URI uri) {
      this.uri = uri;
    }

    public Builder token(Supplier<String> t) {
      token = t;
      return this;
    }

    public Builder onEvent(Consumer<ClientEvent> l) {
      onEvent = l;
      return this;
    }

    public Builder backoff(Duration initial, Duration max) {
      initialBackoff = initial;
      maxBackoff = max;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      connectTimeout = d;
      return this;
    }

    public Builder ping(Duration interval, Duration timeout) {
      pingInterval = interval;
      pingTimeout = timeout;
      return this;
    }

    public Builder tokenRefreshAhead(Duration d) {
      tokenRefreshAhead = d;
      return this;
    }

    public Builder offlineBufferMessages(int n) {
      offlineBufferMessages = n;
      return this;
    }

    public Builder recover(boolean r) {
      recover = r;
      return this;
    }

    public ClientOptions build() {
      return new ClientOptions(uri, token, onEvent, initialBackoff, maxBackoff, connectTimeout, pingInterval,
          pingTimeout, tokenRefreshAhead, offlineBufferMessages, recover);
    }
  }
}
