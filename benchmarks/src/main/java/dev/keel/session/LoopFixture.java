package dev.keel.session;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.engine.Engine;
import dev.keel.limit.MemoryBudget;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Real {@link Session}s on {@link EmbeddedChannel}s that all share ONE event loop, as a server's
 * connections share their loop: a broadcast's drains then go through one {@link DrainBatch}, as in
 * production. The loop's time is frozen, so no deadline fires mid-benchmark; everything runs on the
 * calling (benchmark) thread.
 *
 * <p>What the sessions write goes nowhere: each flush moves the frames into the channel's outbound
 * queue, and {@link #discardWritten()} releases them, standing in for the socket taking the bytes
 * (there is no system call and no copy to the kernel).
 *
 * <p>Usage: {@code try (var f = new LoopFixture(config)) { Session s = f.open(wire); ... f.runTasks(); f.discardWritten(); }}
 */
public final class LoopFixture implements AutoCloseable {
  public final KeelConfig config;
  public final MemoryBudget budget;
  public final ServerContext server;
  /** Owns the shared loop: its {@code runPendingTasks} runs every channel's tasks. */
  private final EmbeddedChannel loopOwner;
  private final List<Session> sessions = new ArrayList<>();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  public LoopFixture(KeelConfig config) {
    this.config = config;
    this.budget = new MemoryBudget(Engine.budgetBytes(config));
    this.server = new ServerContext(config, NO_HANDLER, new Sessions(config.get(CoreOptions.MAX_CONNECTIONS)),
        new SessionCounters(), ByteBufAllocator.DEFAULT, false, budget);
    this.loopOwner = new EmbeddedChannel();
    loopOwner.freezeTime();
  }

  /** The loop every session here belongs to. */
  public EventLoop loop() {
    return loopOwner.eventLoop();
  }

  /** A new open session whose transport frames with {@code wire}, on the shared loop. */
  public Session open(Wire wire) {
    long id = server.sessions().reserve();
    if (id == 0) {
      throw new IllegalStateException("max-connections reached: raise it in the fixture's config");
    }
    EmbeddedChannel ch = EmbeddedChannel.builder().register(false).build();
    loop().register(ch).syncUninterruptibly();
    ReadActivity activity = new ReadActivity(budget, loop().ticker());
    Session s = Session.open(id, ch, wire, server, activity, true, null);
    sessions.add(s);
    channels.add(ch);
    return s;
  }

  /** The channel of {@code s} (an {@link EmbeddedChannel} on the shared loop). */
  public static EmbeddedChannel channel(Session s) {
    return (EmbeddedChannel) s.channel;
  }

  /** Runs the shared loop's pending tasks: the drain batch and anything it schedules. */
  public void runTasks() {
    loopOwner.runPendingTasks();
  }

  /** Releases what the sessions have flushed, as a socket taking the bytes would; returns how many had any. */
  public int discardWritten() {
    int n = 0;
    for (int i = 0; i < channels.size(); i++) {
      if (channels.get(i).releaseOutbound()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Closes every channel and ends its session (what the transport does on {@code channelInactive}),
   * then checks that nothing is still held: a benchmark that leaks a queued buffer fails here.
   */
  @Override
  public void close() {
    for (int i = 0; i < sessions.size(); i++) {
      channels.get(i).close();
      sessions.get(i).ended();
    }
    runTasks();
    for (EmbeddedChannel ch : channels) {
      ch.finishAndReleaseAll();
    }
    loopOwner.finishAndReleaseAll();
    long queued = server.counters().queuedBytes();
    long held = budget.held(MemoryBudget.Kind.OUTBOUND);
    int live = server.sessions().count();
    if (queued != 0 || held != 0 || live != 0) {
      throw new IllegalStateException("fixture left state behind: queued bytes " + queued + ", outbound budget "
          + held + ", live sessions " + live);
    }
  }

  private static final ConnectionHandler NO_HANDLER = new ConnectionHandler() {
    @Override
    public void onOpen(Session session) {}

    @Override
    public void onMessage(Session session, byte[] payload, boolean binary) {}

    @Override
    public void onClose(Session session, CloseCause reason) {}
  };
}
