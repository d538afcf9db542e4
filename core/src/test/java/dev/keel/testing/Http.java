package dev.keel.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Speaks HTTP to servers under test (loopback), with a timeout on every request. */
public final class Http {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Http() {}

  /**
   * A POST with headers (name, value, name, value...); {@code Content-Type: application/json} unless
   * the headers name another.
   */
  public static HttpResponse<String> post(int port, String path, String body, String... headers) {
    boolean typed = false;
    for (int i = 0; i < headers.length; i += 2) {
      typed |= headers[i].equalsIgnoreCase("Content-Type");
    }
    String[] all = headers;
    if (!typed) {
      all = java.util.Arrays.copyOf(headers, headers.length + 2);
      all[headers.length] = "Content-Type";
      all[headers.length + 1] = "application/json";
    }
    return postRaw(port, path, body, all);
  }

  /** A POST with exactly these headers (none added). */
  public static HttpResponse<String> postRaw(int port, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  public static HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build());
  }

  /** A GET with headers (name, value, name, value...). */
  public static HttpResponse<String> get(int port, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  /** A GET whose body is kept as bytes (binary downloads). */
  public static HttpResponse<byte[]> getBytes(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Prometheus text, one sample per line, as name{labels} -> value (comments skipped). */
  public static java.util.Map<String, Double> scrape(int adminPort) {
    HttpResponse<String> r = get(adminPort, "/metrics");
    if (r.statusCode() != 200) {
      throw new AssertionError("GET /metrics answered " + r.statusCode());
    }
    java.util.Map<String, Double> samples = new java.util.HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
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
