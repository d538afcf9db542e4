package dev.keel.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The chat's own page, on Keel's JavaScript client, in two real headless Chromium browsers (Debian's
 * chromium and chromium-driver, which .ci/run installs): ann and bob chat; ann's connection is reset
 * (through a relay) and stays down while bob talks on; when it comes back, ann's page has every line
 * once and in order, the same lines as bob's.
 */
class ChatBrowserIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<WebDriver> drivers = new ArrayList<>();

  @AfterEach
  void quit() {
    drivers.forEach(WebDriver::quit);
  }

  @Test
  void twoPages_oneReset_itGetsWhatItMissedOnceInOrder() throws Exception {
    Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
        "skipped: needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); .ci/run installs them");
    try (ChatServer server = ChatServer.start(0, 0); ResettingRelay relay = new ResettingRelay(server.wsPort())) {
      String page = "http://127.0.0.1:" + server.pagePort() + "/";
      JavascriptExecutor ann = open(page + "?ws=" + relay.port()); // through the relay
      JavascriptExecutor bob = open(page);
      join(ann, "ann");
      await().atMost(WAIT).until(() -> events(ann).contains("subscribed:false")); // a new room: no backlog
      join(bob, "bob");
      await().atMost(WAIT).until(() -> events(bob).contains("subscribed:true")); // a backlog, empty

      say(ann, "hello from ann");
      for (int i = 1; i <= 10; i++) {
        say(bob, "b" + i);
      }
      // ann joined, hello from ann, bob joined, b1..b10
      await().atMost(WAIT).until(() -> lines(ann).size() == 13 && lines(bob).size() == 13);

      relay.resetAll(true); // ann's network goes and stays down
      await().atMost(WAIT).until(() -> events(ann).contains("disconnected"));
      for (int i = 11; i <= 30; i++) {
        say(bob, "b" + i);
      }
      // ann left (the server saw the reset), b11..b30: bob has them; ann, offline, has none of them
      await().atMost(WAIT).until(() -> lines(bob).size() == 34);
      assertThat(lines(ann)).as("ann missed the lines sent while she was offline").hasSize(13);

      relay.up();
      await().atMost(WAIT).until(() -> events(ann).contains("subscribed:true"));
      await().atMost(WAIT).until(() -> lines(ann).size() >= 34);
      say(bob, "welcome back");
      await().atMost(WAIT).until(() -> lines(ann).size() >= 35 && lines(bob).size() >= 35);

      List<Map<String, Object>> annLines = lines(ann);
      assertThat(annLines).as("ann's page has bob's lines, each once and in order; ann's events " + events(ann))
          .isEqualTo(lines(bob));
      assertThat(annLines.stream().map(l -> ((Number) l.get("seq")).longValue()).toList())
          .as("seqs one after another, no gap and no duplicate")
          .isEqualTo(IntStream.rangeClosed(1, 35).mapToObj(Long::valueOf).toList());
      assertThat(annLines.stream().map(l -> (String) l.get("text")).toList())
          .as("what ann missed came back, in order")
          .containsSubsequence("b10", "b11", "b20", "b30", "welcome back").contains("ann left");
      assertThat(events(ann)).as("ann's page saw the drop and the retries").contains("disconnected", "reconnecting");
    }
  }

  private JavascriptExecutor open(String url) throws Exception {
    WebDriver driver = chrome();
    drivers.add(driver);
    driver.get(url);
    JavascriptExecutor js = (JavascriptExecutor) driver;
    await().atMost(WAIT).until(() -> Boolean.TRUE.equals(js.executeScript("return window.chat !== undefined")));
    return js;
  }

  private static void join(JavascriptExecutor page, String nick) {
    page.executeScript("const f = document.getElementById('join'); f.nick.value = arguments[0];"
        + " f.room.value = 'lobby'; f.requestSubmit();", nick);
  }

  /** Types a line and sends it (the page publishes it; the server answers ok or why not). */
  private static void say(JavascriptExecutor page, String text) {
    page.executeScript("const f = document.getElementById('say'); f.text.value = arguments[0]; f.requestSubmit();", text);
  }

  @SuppressWarnings("unchecked")
  private static List<String> events(JavascriptExecutor page) {
    return (List<String>) page.executeScript("return window.chat.events");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> lines(JavascriptExecutor page) {
    return (List<Map<String, Object>>) page.executeScript("return window.chat.lines");
  }

  private static WebDriver chrome() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory("keel-chat-chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
