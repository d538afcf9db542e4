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
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Real WebSocket clients chat through the example server over loopback, speaking Keel's pub/sub
 * protocol as the page's JavaScript client does (the page itself: ChatBrowserIT).
 */
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
  void twoClients_joinTheSameRoom_seeEachOthersLinesAndTheBacklog() throws Exception {
    Client ann = connect();
    ann.send("{\"op\":\"sub\",\"topic\":\"room.lobby\",\"since\":{},\"id\":\"s\"}");
    JsonNode joined = ann.control();
    assertThat(joined.path("op").asText()).as("ann's reply to sub: " + joined).isEqualTo("subscribed");
    assertThat(joined.has("recovered")).as("a new room has no backlog: a position only, " + joined).isFalse();
    ann.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"ann\",\"text\":\"hello?\"},\"id\":1}");
    assertThat(ann.control().path("op").asText()).as("ann's post is answered ok").isEqualTo("ok");
    assertThat(ann.nextLine().path("text").asText()).as("ann's first post claims her nick").isEqualTo("ann joined");
    assertThat(ann.nextLine().path("text").asText()).as("ann's own line comes back").isEqualTo("hello?");

    Client bob = connect();
    bob.send("{\"op\":\"sub\",\"topic\":\"room.lobby\",\"since\":{},\"id\":\"s\"}");
    JsonNode bobJoined = bob.control();
    assertThat(bobJoined.path("recovered").asBoolean()).as("bob's backlog follows: " + bobJoined).isTrue();
    assertThat(List.of(bob.nextLine().path("text").asText(), bob.nextLine().path("text").asText()))
        .as("the backlog bob gets").containsExactly("ann joined", "hello?");
    bob.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"ann\",\"text\":\"I am ann\"},\"id\":2}");
    JsonNode taken = bob.control();
    assertThat(taken.path("code").asText() + " " + taken.path("message").asText()).as("a taken nickname")
        .isEqualTo("forbidden nick ann is taken");
    bob.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"bob\",\"text\":\"hi ann\"},\"id\":3}");
    assertThat(ann.nextLine().path("text").asText()).as("ann sees bob join").isEqualTo("bob joined");
    JsonNode line = ann.nextLine();
    assertThat(line.path("nick").asText()).as("who said it").isEqualTo("bob");
    assertThat(line.path("text").asText()).as("what ann receives").isEqualTo("hi ann");

    bob.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    assertThat(ann.nextLine().path("text").asText()).as("ann sees bob leave").isEqualTo("bob left");
  }

  @Test
  void backlog_isTheLastFiftyLinesOfARoom() throws Exception {
    Client ann = connect();
    ann.send("{\"op\":\"sub\",\"topic\":\"room.busy\",\"since\":{}}");
    ann.control();
    for (int i = 0; i < 60; i++) {
      ann.send("{\"op\":\"pub\",\"topic\":\"room.busy\",\"data\":{\"nick\":\"ann\",\"text\":\"line " + i + "\"}}");
    }
    String last;
    do {
      last = ann.nextLine().path("text").asText();
    } while (!last.equals("line 59"));
    Client bob = connect();
    bob.send("{\"op\":\"sub\",\"topic\":\"room.busy\",\"since\":{}}");
    assertThat(bob.control().path("recovered").asBoolean()).as("the backlog follows").isTrue();
    List<String> backlog = new ArrayList<>();
    for (int i = 0; i < ChatHandler.HISTORY; i++) {
      backlog.add(bob.nextLine().path("text").asText());
    }
    assertThat(backlog.get(0)).as("oldest line kept (of 61: ann joined, line 0 to 59)").isEqualTo("line 10");
    assertThat(backlog.get(ChatHandler.HISTORY - 1)).as("newest line").isEqualTo("line 59");
    assertThat(bob.lines.poll(300, TimeUnit.MILLISECONDS)).as("nothing beyond the backlog").isNull();
  }

  @Test
  void reconnect_withSince_getsWhatItMissedOnceInOrder() throws Exception {
    Client ann = connect();
    ann.send("{\"op\":\"sub\",\"topic\":\"room.back\",\"since\":{}}");
    String epoch = ann.control().path("epoch").asText();
    Client bob = connect();
    bob.send("{\"op\":\"sub\",\"topic\":\"room.back\",\"since\":{}}");
    bob.control();
    for (int i = 1; i <= 5; i++) {
      bob.send("{\"op\":\"pub\",\"topic\":\"room.back\",\"data\":{\"nick\":\"bob\",\"text\":\"" + i + "\"}}");
    }
    long seen = 0;
    for (int i = 0; i < 6; i++) { // bob joined, 1 to 5
      seen = ann.nextMsg().path("seq").asLong();
    }
    ann.ws.abort();
    for (int i = 6; i <= 10; i++) {
      bob.send("{\"op\":\"pub\",\"topic\":\"room.back\",\"data\":{\"nick\":\"bob\",\"text\":\"" + i + "\"}}");
    }
    Client again = connect();
    again.send("{\"op\":\"sub\",\"topic\":\"room.back\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":" + seen + "}}");
    JsonNode sub = again.control();
    assertThat(sub.path("recovered").asBoolean()).as("recovered: " + sub).isTrue();
    List<String> missed = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonNode m = again.nextMsg();
      seqs.add(m.path("seq").asLong());
      missed.add(m.path("data").path("text").asText());
    }
    assertThat(missed).as("the lines missed, in order").containsExactly("6", "7", "8", "9", "10");
    assertThat(seqs).as("their seqs follow the last one seen").containsExactly(seen + 1, seen + 2, seen + 3, seen + 4, seen + 5);
    bob.send("{\"op\":\"pub\",\"topic\":\"room.back\",\"data\":{\"nick\":\"bob\",\"text\":\"live\"}}");
    assertThat(again.nextLine().path("text").asText()).as("then live, nothing twice").isEqualTo("live");
  }

  @Test
  void posts_areTheChatsOwn_onlyIntoARoomJoined_andChecked() throws Exception {
    Client eve = connect();
    eve.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"eve\",\"text\":\"spam\"},\"id\":1}");
    assertThat(eve.control().path("code").asText()).as("a post into a room not joined").isEqualTo("forbidden");
    eve.send("{\"op\":\"sub\",\"topic\":\"news\",\"id\":2}");
    assertThat(eve.control().path("code").asText()).as("a topic that is not a room").isEqualTo("forbidden");
    eve.send("{\"op\":\"sub\",\"topic\":\"room.lobby\",\"id\":3}");
    assertThat(eve.control().path("op").asText()).as("joining").isEqualTo("subscribed");
    eve.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"eve\",\"text\":\"" + "x".repeat(501) + "\"},\"id\":4}");
    assertThat(eve.control().path("code").asText()).as("a line over 500 characters").isEqualTo("bad_request");
    eve.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"<b>\",\"text\":\"hi\"},\"id\":5}");
    assertThat(eve.control().path("code").asText()).as("a bad nickname").isEqualTo("bad_request");
    eve.send("{\"op\":\"pub\",\"topic\":\"room.lobby\",\"data\":{\"nick\":\"eve\",\"text\":\"hi\",\"ts\":1,\"admin\":true},\"id\":6}");
    assertThat(eve.control().path("op").asText()).as("a good line").isEqualTo("ok");
    eve.nextLine(); // eve joined
    JsonNode line = eve.nextLine();
    assertThat(line.path("text").asText()).as("the line").isEqualTo("hi");
    assertThat(line.has("admin")).as("fields the client added are not published").isFalse();
    assertThat(line.path("ts").asLong()).as("the time is the server's").isGreaterThan(1);
    eve.send("{\"op\":\"ping\",\"id\":7}");
    assertThat(eve.control().path("op").asText()).as("the client's liveness ping").isEqualTo("pong");
  }

  @Test
  void page_andItsClient_areServedByTheExample() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).as("status of /").isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).as("content type").hasValue("text/html; charset=utf-8");
    assertThat(page.body()).as("the page").contains("<title>Keel chat</title>")
        .contains("import { KeelClient } from \"./keel-client.js\"")
        .contains("|| \"" + server.wsPort() + "\"").doesNotContain("__WS_PORT__").doesNotContain("http://cdn");
    HttpResponse<String> js = get("/keel-client.js");
    assertThat(js.statusCode()).as("status of /keel-client.js").isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).as("its content type").hasValue("text/javascript; charset=utf-8");
    assertThat(js.body()).as("it is clients/js/keel-client.js")
        .isEqualTo(Files.readString(Path.of("..", "..", "clients", "js", "keel-client.js")));
    assertThat(get("/other").statusCode()).as("anything else").isEqualTo(404);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.pagePort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private Client connect() throws Exception {
    Client c = new Client();
    c.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"), c)
        .get(10, TimeUnit.SECONDS);
    clients.add(c);
    return c;
  }

  /** A WebSocket client that queues topic messages apart from replies (a reply may overtake a message). */
  private static final class Client implements WebSocket.Listener {
    final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    void send(String json) {
      ws.sendText(json, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The next reply or error. */
    JsonNode control() throws InterruptedException {
      return take(replies, "a reply");
    }

    /** The next topic message, whole. */
    JsonNode nextMsg() throws InterruptedException {
      return take(lines, "a room line");
    }

    /** The next room line (a topic message's data). */
    JsonNode nextLine() throws InterruptedException {
      return nextMsg().path("data");
    }

    private static JsonNode take(BlockingQueue<JsonNode> q, String what) throws InterruptedException {
      JsonNode m = q.poll(10, TimeUnit.SECONDS);
      assertThat(m).as(what + " within 10 s").isNotNull();
      return m;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          (m.path("op").asText().equals("msg") ? lines : replies).add(m);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        partial.setLength(0);
      }
      return null;
    }
  }
}
