package dev.keel.examples.chat;

import com.sun.net.httpserver.HttpServer;
import dev.keel.api.Keel;
import dev.keel.config.CoreOptions;
import dev.keel.config.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The chat example: the chat service on Keel (WebSocket on {@code wsPort}, path {@code /ws}) and
 * its web page on {@code pagePort}, served by the JDK's own HTTP server.
 *
 * <p>Usage: {@code java -jar examples/chat/target/keel-chat.jar [wsPort [pagePort]]}, then open
 * {@code http://127.0.0.1:8000/}.
 */
public final class ChatServer implements AutoCloseable {
  private final Keel keel;
  private final HttpServer page;

  private ChatServer(Keel keel, HttpServer page) {
    this.keel = keel;
    this.page = page;
  }

  /** Starts both listeners on 127.0.0.1; port 0 picks a free one. */
  public static ChatServer start(int wsPort, int pagePort) throws InterruptedException, IOException {
    Keel keel = Keel.builder()
        .wsPort(wsPort)
        .tcpPort(Ports.OFF) // WebSocket only
        .configure(b -> b
            .set(CoreOptions.MAX_MESSAGE_SIZE, 4 * 1024)       // a chat line, not a file
            .set(CoreOptions.RATE_LIMIT, 20)                   // people type; scripts flood
            .set(CoreOptions.RATE_BURST, 40)
            .set(CoreOptions.MAX_CONNECTIONS, 10_000)
            .set(CoreOptions.IDLE_TIMEOUT, Duration.ofSeconds(60))
            // The rooms' history is Keel's: what a reconnecting page missed, and a newcomer's backlog.
            .set(CoreOptions.HISTORY_SIZE, ChatHandler.HISTORY)
            .set(CoreOptions.HISTORY_TTL, Duration.ofDays(1)))
        .inboundQueueMessages(16)
        .handlerTimeout(Duration.ofSeconds(5))
        .handler(ChatHandler::new) // made at start, with the server's topics
        .build()
        .start();
    HttpServer page;
    try {
      page = HttpServer.create(new InetSocketAddress("127.0.0.1", pagePort), 64);
    } catch (IOException e) {
      keel.close();
      throw e;
    }
    byte[] html = resource("index.html").replace("__WS_PORT__", Integer.toString(keel.wsPort()))
        .getBytes(StandardCharsets.UTF_8);
    // Keel's JavaScript client, copied from clients/js into the jar at build time (pom.xml).
    byte[] client = resource("keel-client.js").getBytes(StandardCharsets.UTF_8);
    page.createContext("/", exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        byte[] body = path.equals("/") ? html : path.equals("/keel-client.js") ? client : null;
        if (body == null) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        exchange.getResponseHeaders().set("Content-Type",
            body == html ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    page.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    page.start();
    return new ChatServer(keel, page);
  }

  private static String resource(String name) {
    try (InputStream in = ChatServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int wsPort() {
    return keel.wsPort();
  }

  public int pagePort() {
    return page.getAddress().getPort();
  }

  /** Stops the page server and drains the chat (clients get close 1001). */
  @Override
  public void close() {
    page.stop(0);
    keel.close();
  }

  public static void main(String[] args) throws Exception {
    int wsPort = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    int pagePort = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
    ChatServer server = start(wsPort, pagePort);
    System.out.println("chat: open http://127.0.0.1:" + server.pagePort() + "/  (WebSocket on port "
        + server.wsPort() + ", Ctrl-C stops)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "chat-shutdown"));
    stopped.await();
  }
}
