package dev.keel.load.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads {@code GET /debug/memory} and requests {@code POST /debug/gc} on the server's admin port. */
final class AdminProbe implements ServerProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  // A full GC of a large heap can take a while; the endpoint answers after it.
  private static final Duration GC_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final URI memory;
  private final URI gc;
  private final String token;
  private volatile boolean gcHonoured;

  AdminProbe(URI base, String token) {
    String b = base.toString().replaceAll("/+$", "");
    this.memory = URI.create(b + "/debug/memory");
    this.gc = URI.create(b + "/debug/gc");
    this.token = token;
  }

  @Override
  public String source() {
    return "admin";
  }

  @Override
  public MemorySample sample() {
    return call(request(memory, TIMEOUT).GET().build());
  }

  @Override
  public MemorySample gcAndSample() {
    MemorySample s = call(request(gc, GC_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build());
    gcHonoured = s != null;
    return s != null ? s : sample();
  }

  @Override
  public boolean gcHonoured() {
    return gcHonoured;
  }

  private HttpRequest.Builder request(URI uri, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private MemorySample call(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null; // 403 for /debug/gc without --admin-allow-gc; 401 for a wrong token
      }
      return MemorySample.fromAdminJson(System.currentTimeMillis(), JSON.readTree(r.body()));
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
