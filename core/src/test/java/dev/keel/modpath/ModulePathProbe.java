package dev.keel.modpath;

import dev.keel.api.Keel;
import dev.keel.config.Ports;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link ModulePathIT} in a JVM of its own, with keel-core's jar and its dependencies on the
 * module path and only this class on the class path: an application that uses Keel as a module. It
 * prints one line per finding and exits 0 only when all hold.
 */
public final class ModulePathProbe {
  private ModulePathProbe() {}

  public static void main(String[] args) throws Exception {
    Module core = Keel.class.getModule();
    check(core.isNamed() && core.getName().equals("dev.keel.core"), "keel-core is the named module dev.keel.core: " + core);
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports e : core.getDescriptor().exports()) {
      exported.add(e.source());
    }
    check(exported.equals(Set.of("dev.keel.api", "dev.keel.config", "dev.keel.spi")), "exports exactly api, config, spi: " + exported);
    try {
      Class.forName("dev.keel.session.SessionCounters").getConstructor().newInstance();
      check(false, "an internal class was usable from outside the module");
    } catch (IllegalAccessException expected) {
      check(true, "internal packages are closed: " + expected.getMessage());
    }
    check(io.netty.channel.epoll.Epoll.isAvailable() || !System.getProperty("os.name").contains("Linux"),
        "native epoll loads on the module path (Linux): " + io.netty.channel.epoll.Epoll.unavailabilityCause());
    try (Keel keel = Keel.builder().wsPort(0).tcpPort(Ports.OFF)
        .handler((c, m) -> c.send("echo: " + m.text())).build().start()) {
      CompletableFuture<String> reply = new CompletableFuture<>();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create("ws://127.0.0.1:" + keel.wsPort() + "/ws"), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              reply.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      ws.sendText("hello", true);
      String got = reply.get(10, TimeUnit.SECONDS);
      check(got.equals("echo: hello"), "an embedded server on the module path answers: " + got);
      ws.abort();
    }
    System.out.println("MODULE-PATH OK");
  }

  private static void check(boolean ok, String what) {
    System.out.println((ok ? "ok   " : "FAIL ") + what);
    if (!ok) {
      System.exit(1);
    }
  }
}
