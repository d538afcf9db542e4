package dev.keel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.api.Handler;
import dev.keel.api.TestBridges;
import dev.keel.api.Topics;
import dev.keel.auth.TokenVerifier;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.engine.Engine;
import dev.keel.limit.MemoryBudget;
import dev.keel.fanout.FanOutCounters;
import dev.keel.fanout.HistorySettings;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import dev.keel.fanout.TopicRegistry;
import dev.keel.session.ConnectionHandler;
import dev.keel.session.ServerContext;
import dev.keel.session.SessionCounters;
import dev.keel.session.Sessions;
import dev.keel.transport.tcp.TcpInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Keel server's shared state (config, handler, sessions, counters, topic registry) with framed-TCP
 * connections on {@link EmbeddedChannel}s whose time only moves by hand. Handlers of the embedding API
 * run through the real bridge, their runners run on the test's thread between steps
 * ({@link TestBridges.Runners}).
 *
 * <p>Usage: {@code var server = new EmbeddedTcp(config); var c = server.connect(); c.send("{\"op\":\"ping\"}");}
 */
public final class EmbeddedTcp {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final KeelConfig config;
  public final SessionCounters counters = new SessionCounters();
  public final Sessions sessions;
  /** What every connection here is charged to (as big as the configuration says). */
  public final MemoryBudget budget;
  public final TopicRegistry topics;
  /** The time topic history's TTL is measured on, moved by hand ({@code historyTicker.advance(...)}). */
  public final MockTicker historyTicker = Ticker.newMockTicker();
  public final ServerContext context;
  /** The connect-token verifier the config asks for, or null. */
  public final TokenVerifier verifier;
  /** Handler runners waiting to run (API handlers only). */
  public final TestBridges.Runners runners = new TestBridges.Runners();

  /** The test protocol ({@link MiniProtocol}) on every connection, through the real API bridge. */
  public EmbeddedTcp(KeelConfig config) {
    this(config, null, MiniProtocol::new);
  }

  private EmbeddedTcp(KeelConfig config, Function<TopicRegistry, ConnectionHandler> raw,
      Function<Topics, Handler> application) {
    this.config = config;
    this.sessions = new Sessions(config.get(CoreOptions.MAX_CONNECTIONS));
    this.budget = new MemoryBudget(Engine.budgetBytes(config));
    this.topics = new TopicRegistry(ByteBufAllocator.DEFAULT, new FanOutCounters(), HistorySettings.from(config), budget,
        historyTicker);
    ConnectionHandler handler = raw != null ? raw.apply(topics)
        : TestBridges.bridge(config, topics, application, runners);
    TokenVerifier verifier = TokenVerifier.from(config, java.time.Clock.systemUTC());
    this.verifier = verifier;
    this.context = new ServerContext(config, Engine.gate(handler, verifier, java.time.Clock.systemUTC()),
        sessions, counters, ByteBufAllocator.DEFAULT, verifier != null, budget);
  }

  /** Runs {@code channel}'s pending tasks and the handler runners they start, until neither has any left. */
  public void settle(EmbeddedChannel channel) {
    do {
      channel.runPendingTasks();
    } while (runners.runAll() > 0);
  }

  /** An embedding-API handler (given the registry's topics) on every connection. */
  public static EmbeddedTcp api(KeelConfig config, Function<Topics, Handler> application) {
    return new EmbeddedTcp(config, null, application);
  }

  /** A connection-layer handler (given the topic registry) on every connection, no API in between. */
  public static EmbeddedTcp raw(KeelConfig config, Function<TopicRegistry, ConnectionHandler> handler) {
    return new EmbeddedTcp(config, handler, null);
  }

  /** A new connection, its clock frozen. */
  public Client connect() {
    Client c = new Client(new EmbeddedChannel(new TcpInitializer(context)), runners);
    c.settle();
    return c;
  }

  /** Parses one outbound payload. */
  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  /** One framed-TCP connection: frames in, frames out, time moved by hand. */
  public static final class Client implements AutoCloseable {
    public final EmbeddedChannel channel;
    private final TestBridges.Runners runners;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private int parsed;

    Client(EmbeddedChannel channel, TestBridges.Runners runners) {
      this.channel = channel;
      this.runners = runners;
      channel.freezeTime();
    }

    /** Runs the loop's pending tasks and the handler runners they start, until neither has any left. */
    public Client settle() {
      do {
        channel.runPendingTasks();
      } while (runners.runAll() > 0);
      return this;
    }

    /** Writes the frames in one read (one writeInbound) and runs the tasks they caused. */
    public Client send(String... jsons) {
      ByteBuf in = Unpooled.buffer();
      for (String json : jsons) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        in.writeInt(payload.length).writeBytes(payload);
      }
      return sendRaw(in);
    }

    /** An empty frame. */
    public Client heartbeat() {
      return sendRaw(Unpooled.buffer(4).writeInt(0));
    }

    /** Writes bytes as they are (ownership passes to the channel). */
    public Client sendRaw(ByteBuf bytes) {
      channel.writeInbound(bytes);
      return settle();
    }

    /**
     * Moves time forward by {@code total} in steps of {@code step}, running what falls due at each
     * step (scheduled tasks, then the tasks they queued).
     */
    public Client advance(Duration total, Duration step) {
      long left = total.toNanos();
      while (left > 0) {
        long n = Math.min(left, step.toNanos());
        channel.advanceTimeBy(n, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        settle();
        left -= n;
      }
      return this;
    }

    /** Moves time forward by {@code total} in 100ms steps. */
    public Client advance(Duration total) {
      return advance(total, Duration.ofMillis(100));
    }

    /** Every outbound payload written since the last call, as text; a heartbeat is "". */
    public List<String> frames() {
      collect();
      byte[] all = raw.toByteArray();
      List<String> out = new ArrayList<>();
      while (all.length - parsed >= 4) {
        int length = ((all[parsed] & 0xff) << 24) | ((all[parsed + 1] & 0xff) << 16)
            | ((all[parsed + 2] & 0xff) << 8) | (all[parsed + 3] & 0xff);
        if (all.length - parsed - 4 < length) {
          break;
        }
        out.add(new String(all, parsed + 4, length, StandardCharsets.UTF_8));
        parsed += 4 + length;
      }
      return out;
    }

    /** Every outbound payload written since the last call, parsed; heartbeats left out. */
    public List<JsonNode> messages() {
      List<JsonNode> out = new ArrayList<>();
      for (String f : frames()) {
        if (!f.isEmpty()) {
          out.add(json(f));
        }
      }
      return out;
    }

    /** All outbound bytes so far, frame headers included. */
    public byte[] rawOutbound() {
      collect();
      return raw.toByteArray();
    }

    private void collect() {
      settle();
      Object m;
      while ((m = channel.readOutbound()) != null) {
        try {
          if (!(m instanceof ByteBuf buf)) {
            throw new AssertionError("outbound message is not a ByteBuf: " + m);
          }
          byte[] bytes = new byte[buf.readableBytes()];
          buf.getBytes(buf.readerIndex(), bytes);
          raw.writeBytes(bytes);
        } finally {
          ReferenceCountUtil.release(m);
        }
      }
    }

    /**
     * The peer goes away: closes the channel through its {@code Unsafe}, as a transport does on a
     * reset, and runs the tasks that causes. {@link EmbeddedChannel#close()} is not used because it
     * cancels every scheduled task of the loop, which would hide a task the session failed to cancel.
     */
    public Client peerClose() {
      if (channel.isOpen()) {
        channel.unsafe().close(channel.voidPromise());
      }
      return settle();
    }

    /** Whether a task is still scheduled on this connection's loop (none should be once it closed). */
    public boolean hasScheduledTasks() {
      return channel.runScheduledPendingTasks() != -1;
    }

    /** Closes the channel as the peer would, then releases whatever is left in it. */
    @Override
    public void close() {
      peerClose();
      collect();
      channel.finishAndReleaseAll();
    }
  }
}
