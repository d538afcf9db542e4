package dev.keel.client;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A client of Keel's pub/sub protocol on the JDK's WebSocket: reconnects (full-jitter backoff),
 * resubscribes with {@code since} so the handler sees every message once and in order when the server
 * keeps history, acknowledges publishes, refreshes its token, pings to detect a dead connection, and
 * buffers a bounded number of publishes offline. Its state lives on one thread of its own; the
 * blocking calls suit virtual threads.
 *
 * <p>Usage: {@code var c = KeelClient.connect(ClientOptions.builder(URI.create("ws://localhost:8080/ws")).build());
 * c.subscribe("news", m -> System.out.println(m.data())); c.publish("news", "{\"t\":\"hi\"}").join();}
 */
public final class KeelClient implements AutoCloseable, Link.Sink {
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

  private final ClientOptions options;
  private final ScheduledThreadPoolExecutor actor;
  private final HttpClient http;
  private final Backoff backoff;
  // Everything below is touched on the actor thread only.
  /** Subscribed topics (Frames reads them too, on this thread). */
  final Map<String, TopicState> topics = new LinkedHashMap<>();
  private final ArrayDeque<Pending> offline = new ArrayDeque<>();
  private final Map<Long, Pending> inFlight = new HashMap<>();
  private Link link;
  private WebSocket socket;
  private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);
  private long nextId;
  private long lastInbound;
  private long pingSent;
  private boolean stopped;
  private String token;
  private ScheduledFuture<?> liveness;
  private ScheduledFuture<?> refresh;
  private volatile CompletableFuture<Void> connected = new CompletableFuture<>();

  private KeelClient(ClientOptions options, RandomGenerator random) {
    this.options = options;
    int n = CLIENTS.incrementAndGet();
    this.actor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "keel-client-" + n);
      t.setDaemon(true);
      return t;
    });
    actor.setRemoveOnCancelPolicy(true);
    this.http = HttpClient.newBuilder().connectTimeout(options.connectTimeout()).executor(VIRTUAL).build();
    this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff(), random);
  }

  /** Starts connecting (in the background) and returns at once; see {@link #awaitConnected}. */
  public static KeelClient connect(ClientOptions options) {
    KeelClient c = new KeelClient(options, RandomGenerator.getDefault());
    c.run(c::attempt);
    return c;
  }

  /** Waits (a virtual thread may) until a connection is open; false after {@code timeout}. */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    try {
      connected.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    }
  }

  /** Subscribes (or replaces the handler); kept across reconnects. The handler runs on the client's thread. */
  public void subscribe(String topic, Consumer<Message> handler) {
    run(() -> {
      TopicState st = topics.get(topic);
      if (st != null) {
        st.handler = handler;
        return;
      }
      st = new TopicState(handler);
      topics.put(topic, st);
      if (socket != null) {
        send(st.subscribeFrame(topic, options.recover()));
      }
    });
  }

  public void unsubscribe(String topic) {
    run(() -> {
      if (topics.remove(topic) != null && socket != null) {
        send("{\"op\":\"unsub\",\"topic\":" + Json.quote(topic) + "}");
      }
    });
  }

  /**
   * Publishes {@code jsonData} (any JSON value); completes when the server answers {@code ok}, or
   * exceptionally with {@link KeelException}. Offline, the publish waits in the offline buffer.
   */
  public CompletableFuture<Void> publish(String topic, String jsonData) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    run(() -> {
      if (stopped) {
        done.completeExceptionally(new KeelException("closed", "the client is closed"));
        return;
      }
      if (!Json.isValue(jsonData)) {
        done.completeExceptionally(new KeelException("bad_request", "data is not one JSON value: " + jsonData));
        return;
      }
      long id = ++nextId;
      Pending p = new Pending(id, topic, "{\"op\":\"pub\",\"topic\":" + Json.quote(topic) + ",\"data\":" + jsonData
          + ",\"id\":" + id + "}", done);
      if (socket != null) {
        inFlight.put(id, p);
        send(p.frame());
      } else if (offline.size() < options.offlineBufferMessages()) {
        offline.add(p);
      } else {
        done.completeExceptionally(new KeelException("buffer_full",
            "offline and the offline buffer holds " + options.offlineBufferMessages() + " messages"));
        emit(new ClientEvent.BufferOverflow(topic, options.offlineBufferMessages()));
      }
    });
    return done;
  }

  /** {@link #publish} and wait for its {@code ok} (a virtual thread may); throws its {@link KeelException}. */
  public void publishAndWait(String topic, String jsonData, Duration timeout) throws InterruptedException, TimeoutException {
    try {
      publish(topic, jsonData).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw (KeelException) e.getCause(); // publish fails its future with nothing else
    }
  }

  /** Closes (1000) and stops reconnecting; waits up to a second for the close to be sent. */
  @Override
  public void close() {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    CompletableFuture<Void> told = new CompletableFuture<>();
    if (!run(() -> {
      stop(CloseKind.NORMAL, "closed by the application", sent);
      told.complete(null); // the events are out before close() returns
    })) {
      return;
    }
    try {
      told.get(1, TimeUnit.SECONDS);
      sent.get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the socket is dropped below all the same
    }
    actor.shutdown();
  }

  // ------------------------------------------------------------------ on the actor thread

  private boolean run(Runnable r) {
    try {
      actor.execute(r);
      return true;
    } catch (RejectedExecutionException closed) {
      return false;
    }
  }

  private void emit(ClientEvent e) {
    try {
      options.onEvent().accept(e);
    } catch (RuntimeException ignored) { // a listener's failure must not stop the client
    }
  }

  private void attempt() {
    if (stopped) {
      return;
    }
    CompletableFuture<String> t = options.token() == null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(options.token(), VIRTUAL);
    t.whenCompleteAsync((tok, err) -> {
      if (err != null) {
        retry(CloseKind.CONNECTION_LOST);
      } else {
        open(tok);
      }
    }, actor);
  }

  private void open(String tok) {
    if (stopped) {
      return;
    }
    token = tok;
    Link l = new Link(this, this::run);
    link = l;
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(options.connectTimeout());
    if (tok != null) {
      b.header("Authorization", "Bearer " + tok);
    }
    b.buildAsync(options.uri(), l).whenCompleteAsync((ws, err) -> {
      if (l != link || stopped) {
        if (ws != null) {
          ws.abort();
        }
        return;
      }
      if (err != null) {
        link = null;
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        CloseKind kind = cause instanceof WebSocketHandshakeException h
            ? CloseKind.ofStatus(h.getResponse().statusCode()) : CloseKind.CONNECTION_LOST;
        emit(new ClientEvent.Disconnected(1006, String.valueOf(cause.getMessage()), kind));
        if (kind.stops()) {
          stop(kind, "the server refused the connection: " + cause.getMessage(), null);
        } else {
          retry(kind);
        }
        return;
      }
      opened(ws);
    }, actor);
  }

  private void opened(WebSocket ws) {
    socket = ws;
    sends = CompletableFuture.completedFuture(null);
    lastInbound = System.nanoTime();
    pingSent = 0;
    emit(new ClientEvent.Connected(backoff.attempts()));
    backoff.reset();
    long tick = Math.max(50, Math.min(options.pingInterval().toMillis(), options.pingTimeout().toMillis()) / 2);
    liveness = actor.scheduleWithFixedDelay(this::checkLiveness, tick, tick, TimeUnit.MILLISECONDS);
    scheduleRefresh();
    topics.forEach((topic, st) -> send(st.subscribeFrame(topic, options.recover())));
    while (!offline.isEmpty()) {
      Pending p = offline.poll();
      inFlight.put(p.id(), p);
      send(p.frame());
    }
    connected.complete(null);
  }

  /** One send at a time, in order (the JDK's WebSocket refuses overlapping sends). */
  private void send(String text) {
    WebSocket ws = socket;
    sends = sends.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true));
  }

  private void checkLiveness() {
    if (socket == null) {
      return;
    }
    long quiet = System.nanoTime() - lastInbound;
    if (quiet > options.pingInterval().toNanos() + options.pingTimeout().toNanos()) {
      WebSocket ws = socket;
      ended(link, 1006, "no answer to ping within " + options.pingTimeout().toMillis() + " ms", CloseKind.LIVENESS);
      ws.abort();
    } else if (quiet >= options.pingInterval().toNanos() && pingSent < lastInbound) {
      pingSent = System.nanoTime();
      send("{\"op\":\"ping\",\"id\":\"ping\"}");
    }
  }

  private void scheduleRefresh() {
    if (refresh != null) {
      refresh.cancel(false);
      refresh = null;
    }
    long delay = Tokens.refreshDelayMillis(token, options.tokenRefreshAhead(), System.currentTimeMillis());
    if (delay < 0 || options.token() == null) {
      return;
    }
    refresh = actor.schedule(() -> CompletableFuture.supplyAsync(options.token(), VIRTUAL).whenCompleteAsync((tok, err) -> {
      if (err == null && tok != null && socket != null) {
        token = tok;
        send("{\"op\":\"auth\",\"token\":" + Json.quote(tok) + "}");
        scheduleRefresh();
      }
    }, actor), delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void frame(Link from, String text) {
    if (from != link) {
      return; // a connection already given up
    }
    lastInbound = System.nanoTime();
    try {
      Frames.handle(this, text);
    } finally {
      // While the application's handler ran, this connection was not read (the link asks for the next
      // frame only afterwards), so the server's silence is counted from here, not from the frame's
      // arrival: a handler slower than pingInterval + pingTimeout must not look like a dead server.
      lastInbound = System.nanoTime();
    }
  }

  @Override
  public void ended(Link from, int code, String reason) {
    ended(from, code, reason, CloseKind.of(code, reason));
  }

  private void ended(Link from, int code, String reason, CloseKind kind) {
    if (from != link || from == null) {
      return;
    }
    link = null;
    socket = null;
    cancel(liveness);
    cancel(refresh);
    connected = new CompletableFuture<>();
    inFlight.values().forEach(p -> p.done().completeExceptionally(new KeelException("connection_lost",
        "the connection ended before the server's ok: the message may or may not have been published")));
    inFlight.clear();
    emit(new ClientEvent.Disconnected(code, reason, kind));
    if (stopped) {
      return;
    }
    if (kind.stops()) {
      stop(kind, reason, null);
    } else if (kind == CloseKind.TOKEN_EXPIRED) {
      run(this::attempt); // a fresh token at once: waiting would not make the old one valid
    } else {
      retry(kind);
    }
  }

  private static void cancel(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void retry(CloseKind cause) {
    Duration d = backoff.next(cause == CloseKind.OVERLOADED);
    emit(new ClientEvent.Reconnecting(backoff.attempts(), d, cause));
    actor.schedule(this::attempt, d.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void stop(CloseKind kind, String why, CompletableFuture<Void> sent) {
    if (stopped) {
      if (sent != null) {
        sent.complete(null);
      }
      return;
    }
    stopped = true;
    WebSocket ws = socket;
    Link l = link;
    if (ws != null) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, e) -> {
        ws.abort();
        if (sent != null) {
          sent.complete(null);
        }
      });
      ended(l, 1000, why, kind);
    } else if (sent != null) {
      sent.complete(null);
    }
    KeelException closed = new KeelException("closed", "the client is closed");
    offline.forEach(p -> p.done().completeExceptionally(closed));
    offline.clear();
    connected.completeExceptionally(closed);
    emit(new ClientEvent.Stopped(kind, why));
  }

  // ------------------------------------------------------------------ for Frames (actor thread)

  void complete(long id, KeelException failure) {
    Pending p = inFlight.remove(id);
    if (p == null) {
      return;
    }
    if (failure == null) {
      p.done().complete(null);
    } else {
      p.done().completeExceptionally(failure);
    }
  }

  void event(ClientEvent e) {
    emit(e);
  }
}
