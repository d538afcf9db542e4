package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The JavaScript client in real headless Chromium (Debian's chromium and chromium-driver, which .ci/run
 * installs): a page loads clients/js/keel-client.js as an ES module, subscribes through a relay, and
 * after the relay resets its connection it reconnects and recovers: the page's handler sees every
 * message once and in order.
 */
class BrowserClientIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  private static String page(int wsPort) {
    return """
        <!doctype html><meta charset="utf-8"><title>keel-client</title>
        <script type="module">
        import { KeelClient } from './keel-client.js';
        window.received = [];
        window.events = [];
        const c = new KeelClient({ url: 'ws://127.0.0.1:%d/ws', initialBackoffMs: 100,
          onEvent: (e) => window.events.push(e.type === 'subscribed' ? 'subscribed:' + e.recovered : e.type) });
        c.subscribe('browser', (m) => window.received.push(m.data.n));
        </script>
        """.formatted(wsPort);
  }

  @Test
  void pageClient_reconnectsAfterAReset_andSeesEveryMessageOnceInOrder() throws Exception {
    Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
        "skipped: needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); .ci/run installs them");
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    WebDriver driver = null;
    try (TestServer server = TestServer.start(); ResettingProxy proxy = new ResettingProxy(server.port())) {
      byte[] module = Files.readAllBytes(Path.of("..", "clients", "js", "keel-client.js"));
      byte[] html = page(proxy.port()).getBytes(StandardCharsets.UTF_8);
      http.createContext("/", ex -> {
        boolean js = ex.getRequestURI().getPath().endsWith("keel-client.js");
        byte[] body = js ? module : html;
        ex.getResponseHeaders().set("Content-Type", js ? "text/javascript" : "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      http.start();
      driver = chrome();
      driver.get("http://127.0.0.1:" + http.getAddress().getPort() + "/");
      JavascriptExecutor js = (JavascriptExecutor) driver;
      await().atMost(Duration.ofSeconds(30)).until(() -> events(js).contains("subscribed:false"));
      for (int i = 1; i <= 20; i++) {
        server.publish("browser", "{\"n\":" + i + "}");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> received(js).size() >= 20);
      proxy.resetAll();
      for (int i = 21; i <= 40; i++) {
        server.publish("browser", "{\"n\":" + i + "}");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> events(js).contains("subscribed:true"));
      await().atMost(Duration.ofSeconds(30)).until(() -> received(js).size() >= 40);
      assertThat(received(js)).as("every message once, in order; events " + events(js))
          .containsExactlyElementsOf(IntStream.rangeClosed(1, 40).boxed().map(Long::valueOf).toList());
      assertThat(events(js)).as("the page saw the drop and the recovery").contains("disconnected", "reconnecting");
    } finally {
      if (driver != null) {
        driver.quit();
      }
      http.stop(0);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> events(JavascriptExecutor js) {
    return (List<String>) js.executeScript("return window.events || []");
  }

  @SuppressWarnings("unchecked")
  private static List<Long> received(JavascriptExecutor js) {
    return (List<Long>) js.executeScript("return window.received || []");
  }

  private static WebDriver chrome() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory("keel-chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
