package dev.keel.it;

import dev.keel.config.CoreOptions;
import dev.keel.admin.AdminOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.config.SlowConsumerPolicy;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in real headless Chromium (Debian's chromium + chromium-driver, which .ci/run
 * installs): a wrong token is refused, every chart draws, the connection count matches the server's,
 * the stalled subscriber tops the table, and the page reconnects after a server restart.
 */
class DashboardBrowserIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final String TOKEN = "browser-token-0123456789";

  @Test
  void dashboardDrawsLiveFiguresAndFindsTheStalledSubscriber() throws Exception {
    Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
        "skipped: needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver);"
            + " .ci/run installs them with apt-get");
    int adminPort;
    try (ServerSocket free = new ServerSocket(0)) {
      adminPort = free.getLocalPort();
    }
    int port = adminPort;
    Running server = Servers.start(b -> b.set(AdminOptions.ADMIN_PORT, port).set(AdminOptions.ADMIN_TOKEN, TOKEN)
        .set(CoreOptions.SLOW_CONSUMER_POLICY, SlowConsumerPolicy.DROP_NEWEST).set(CoreOptions.SOCKET_SEND_BUFFER, 8 * 1024)
        .set(CoreOptions.OUTBOUND_QUEUE_BYTES, 256 * 1024).set(CoreOptions.WRITE_TIMEOUT, Duration.ofMinutes(5)));
    AtomicBoolean running = new AtomicBoolean(true);
    WebDriver driver = null;
    try (ExecutorService traffic = Executors.newVirtualThreadPerTaskExecutor();
        TcpClient fast = TcpClient.connect(server.tcpPort());
        TcpClient stalled = TcpClient.connect(server.tcpPort(), null, 2048);
        TcpClient publisher = TcpClient.connect(server.tcpPort())) {
      fast.send("{\"op\":\"sub\",\"topic\":\"feed\"}");
      fast.read();
      stalled.send("{\"op\":\"sub\",\"topic\":\"feed\"}");
      stalled.read();
      traffic.submit(() -> {
        while (running.get()) {
          fast.read();
        }
        return null;
      });
      traffic.submit(() -> {
        String data = "\"" + "b".repeat(1000) + "\"";
        for (int i = 0; i < 100_000 && running.get(); i++) {
          publisher.send("{\"op\":\"pub\",\"topic\":\"feed\",\"data\":" + data + "}"); // paced by the rate limit
          stalled.heartbeat(); // alive, but never reading
        }
        return null;
      });

      driver = chrome();
      driver.get("http://127.0.0.1:" + port + "/");
      JavascriptExecutor js = (JavascriptExecutor) driver;
      WebDriver d = driver;
      WebElement form = driver.findElement(By.id("token-form"));
      await().atMost(Duration.ofSeconds(20)).until(form::isDisplayed);

      d.findElement(By.id("token")).sendKeys("wrong-token-000000000000");
      d.findElement(By.id("token-submit")).click();
      await().atMost(Duration.ofSeconds(20))
          .until(() -> d.findElement(By.id("token-error")).getText().equals("token refused"));
      assertThat(d.findElement(By.id("status")).getText()).as("status after a wrong token").isEqualTo("token needed");

      WebElement tokenField = d.findElement(By.id("token"));
      tokenField.clear();
      tokenField.sendKeys(TOKEN);
      d.findElement(By.id("token-submit")).click();
      await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(js.executeScript("return window.keelDashboard.status()")));

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        @SuppressWarnings("unchecked")
        Map<String, Long> points = (Map<String, Long>) js.executeScript("return window.keelDashboard.pointsPerChart()");
        assertThat(points).as("charts").containsOnlyKeys("connections", "churn", "messages", "queued", "memory",
            "gc", "threads", "lag", "budget", "overload");
        assertThat(points.values()).as("every chart has drawn a non-empty series").allMatch(n -> n >= 2);
      });
      Running watched = server;
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(js.executeScript("return window.keelDashboard.shownConnections()"))
              .as("connection count shown").isEqualTo(String.valueOf(watched.connections())));
      // The table is redrawn every second: a row found just before a redraw is stale, and is found again.
      await().atMost(Duration.ofSeconds(30)).ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
          .untilAsserted(() -> {
        WebElement firstRemote = d.findElement(By.cssSelector("#top-connections tbody tr:first-child td:nth-child(3)"));
        assertThat(firstRemote.getText()).as("the stalled subscriber tops the table")
            .endsWith(":" + stalled.socket().getLocalPort());
      });
      Path shot = Path.of("target", "dashboard.png");
      Files.createDirectories(shot.getParent());
      Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

      running.set(false);
      server.shutdown();
      await().atMost(Duration.ofSeconds(20)).until(() ->
          String.valueOf(js.executeScript("return window.keelDashboard.status()")).startsWith("reconnecting"));
      server = Servers.start(b -> b.set(AdminOptions.ADMIN_PORT, port).set(AdminOptions.ADMIN_TOKEN, TOKEN));
      await().atMost(Duration.ofSeconds(30)).until(() -> "live".equals(js.executeScript("return window.keelDashboard.status()")));
    } finally {
      running.set(false);
      if (driver != null) {
        driver.quit();
      }
      server.shutdown();
    }
  }

  private static WebDriver chrome() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1400,1300", "--user-data-dir=" + Files.createTempDirectory("keel-chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
