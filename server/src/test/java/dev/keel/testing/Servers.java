package dev.keel.testing;

import dev.keel.config.KeelConfig;
import dev.keel.server.KeelServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Starts real servers on free ports for integration tests, and speaks HTTP to them. */
public final class Servers {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Servers() {}

  /** A server on free WebSocket and TCP ports, with {@code tune} applied to the defaults. */
  public static KeelServer start(UnaryOperator<KeelConfig.Builder> tune) {
    KeelConfig config = tune.apply(KeelConfig.builder()
        .wsPort(0)
        .tcpPort(KeelConfig.ANY_FREE_PORT)
        .shutdownGrace(Duration.ofSeconds(5)))
        .build();
    try {
      return KeelServer.start(config);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static KeelServer start() {
    return start(b -> b);
  }

  public static HttpResponse<String> post(int port, String path, String body) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public static HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
