package dev.keel.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two real WebSocket clients chat through the example server over loopback. */
class ChatIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ChatServer server;
  private final List<Client> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = ChatServer.start(0, 0);
  }

  @AfterEach
  void stop() {
    clients.forEach(c -> c.ws.abort());
    server.close();
  }

  @Test
  void twoClients_joinTheSameRoom_seeEachOthersLinesAndTheHistory() throws Exception {
    Client ann = connect();
    ann.send("{\"type\":\"join\",\"room\":\"lobby\",\"nick\":\"ann\"}");
    JsonNode joined = ann.next();
    assertThat(joined.path("type").asText()).as("ann's reply to join").isEqualTo("joined");
    assertThat(joined.path("history")).as("history of a new room").isEmpty();
    assertThat(ann.nextLine().path("text").asText()).as("ann sees her own join").isEqualTo("ann joined");
    ann.send("{\"type\":\"say\",\"text\":\"hello?\"}");
    assertThat(ann.nextLine().path("text").asText()).as("ann's own line comes back").isEqualTo("hello?");

    Client bob = connect();
    bob.send("{\"type\":\"join\",\"room\":\"lobby\",\"nick\":\"ann\"}");
    assertThat(bob.next().path("message").asText()).as("a taken nickname").isEqualTo("nick ann is taken");
    bob.send("{\"type\":\"join\",\"room\":\"lobby\",\"nick\":\"bob\"}");
    JsonNode bobJoined = bob.next();
    assertThat(bobJoined.path("type").asText()).as("bob's reply to join").isEqualTo("joined");
    assertThat(texts(bobJoined.path("history"))).as("the history bob gets").containsExactly("ann joined", "hello?");
    assertThat(ann.nextLine().path("text").asText()).as("ann sees bob join").isEqualTo("bob joined");

    bob.send("{\"type\":\"say\",\"text\":\"hi ann\"}");
    JsonNode line = ann.nextLine();
    assertThat(line.path("nick").asText()).as("who said it").isEqualTo("bob");
    assertThat(line.path("text").asText()).as("what ann receives").isEqualTo("hi ann");

    bob.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    assertThat(ann.nextLine().path("text").asText()).as("ann sees bob leave").isEqualTo("bob left");
  }

  @Test
  void history_keepsTheLastFiftyLinesOfARoom() throws Exception {
    Client ann = connect();
    ann.send("{\"type\":\"join\",\"room\":\"busy\",\"nick\":\"ann\"}");
    ann.next();
    for (int i = 0; i < 60; i++) {
      ann.send("{\"type\":\"say\",\"text\":\"line " + i + "\"}");
    }
    String last;
    do {
      last = ann.nextLine().path("text").asText();
    } while (!last.equals("line 59"));
    Client bob = connect();
    bob.send("{\"type\":\"join\",\"room\":\"busy\",\"nick\":\"bob\"}");
    List<String> history = texts(bob.next().path("history"));
    assertThat(history).as("history size").hasSize(ChatHandler.HISTORY);
    assertThat(history.get(0)).as("oldest line kept").isEqualTo("line 10");
    assertThat(history.get(ChatHandler.HISTORY - 1)).as("newest line").isEqualTo("line 59");
  }

  @Test
  void page_isServedByTheExampleAndPointsAtItsWebSocket() throws Exception {
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.pagePort() + "/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as("status of /").isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).as("content type").hasValue("text/html; charset=utf-8");
    assertThat(page.body()).as("the page").contains("<title>Keel chat</title>")
        .contains(":" + server.wsPort() + "/ws").doesNotContain("__WS_PORT__").doesNotContain("http://cdn");
  }

  private static List<String> texts(JsonNode lines) {
    List<String> out = new ArrayList<>();
    lines.forEach(l -> out.add(l.path("text").asText()));
    return out;
  }

  private Client connect() throws Exception {
    Client c = new Client();
    c.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"), c)
        .get(10, TimeUnit.SECONDS);
    clients.add(c);
    return c;
  }

  /** A WebSocket client that queues each text message it receives. */
  private static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    void send(String json) {
      ws.sendText(json, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    JsonNode next() throws InterruptedException {
      String m = received.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message within 10 s").isNotNull();
      try {
        return JSON.readTree(m);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The next room line (a topic message's data). */
    JsonNode nextLine() throws InterruptedException {
      JsonNode m = next();
      assertThat(m.path("op").asText()).as("a room line, got " + m).isEqualTo("msg");
      return m.path("data");
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      return null;
    }
  }
}
