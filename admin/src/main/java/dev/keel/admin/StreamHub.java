package dev.keel.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.spi.Readings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's live feed ({@code /admin/stream}): once a second, one JSON snapshot of the server
 * goes to every authenticated stream. Built and encoded once per tick and only while someone watches;
 * a stream that is not reading (channel not writable) skips ticks instead of queueing them.
 */
final class StreamHub implements AutoCloseable {
  static final long PERIOD_MS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Readings stats;
  private final MemoryProbe memory;
  private final EventLoopLag lag;
  private final Set<Channel> streams = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> ticker;

  StreamHub(EventLoop adminLoop, Readings stats, MemoryProbe memory, EventLoopLag lag) {
    this.stats = stats;
    this.memory = memory;
    this.lag = lag;
    this.ticker = adminLoop.scheduleAtFixedRate(this::tick, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  void add(Channel ch) {
    streams.add(ch);
    ch.closeFuture().addListener(f -> streams.remove(ch));
    send(ch, encode(snapshot())); // the first one at once, so a page draws without waiting
  }

  private void tick() {
    if (streams.isEmpty()) {
      return;
    }
    ByteBuf frame = encode(snapshot());
    try {
      for (Channel ch : streams) {
        send(ch, frame);
      }
    } finally {
      frame.release();
    }
  }

  private static void send(Channel ch, ByteBuf frame) {
    if (ch.isActive() && ch.isWritable()) {
      ch.writeAndFlush(new TextWebSocketFrame(frame.retainedDuplicate()));
    }
  }

  private static ByteBuf encode(Map<String, Object> snapshot) {
    try {
      return Unpooled.wrappedBuffer(JSON.writeValueAsBytes(snapshot));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Cumulative counters and current levels; the page turns counters into per-second rates. */
  Map<String, Object> snapshot() {
    Map<String, Object> mem = memory.snapshot();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("t", mem.get("timestampMs"));
    s.put("connections", Map.of("ws", stats.connections("ws"), "tcp", stats.connections("tcp")));
    s.put("opened", stats.opened("ws") + stats.opened("tcp"));
    Map<String, Long> closed = new LinkedHashMap<>();
    for (String label : stats.closeLabels()) {
      closed.put(label, stats.closed("ws", label) + stats.closed("tcp", label));
    }
    s.put("closed", closed);
    s.put("received", stats.received("ws") + stats.received("tcp"));
    s.put("published", stats.published());
    s.put("delivered", stats.delivered());
    s.put("dropped", stats.dropped());
    s.put("queuedBytes", stats.queuedBytes());
    s.put("memoryBudgetBytes", stats.memoryBudget());
    Map<String, Long> accounted = new LinkedHashMap<>();
    for (String kind : stats.memoryKinds()) {
      accounted.put(kind, stats.memoryAccounted(kind));
    }
    s.put("memoryAccountedBytes", accounted);
    s.put("overloadStage", stats.overloadStage());
    Map<String, Long> shed = new LinkedHashMap<>();
    for (String action : stats.shedActions()) {
      shed.put(action, stats.shed(action));
    }
    s.put("shed", shed);
    s.put("heapUsedBytes", mem.get("heapUsedBytes"));
    s.put("heapAfterGcBytes", mem.get("heapAfterGcBytes"));
    s.put("directBytes", mem.get("nettyDirectBytes"));
    s.put("threads", mem.get("threads"));
    s.put("gcTimeMs", mem.get("gcTimeMs"));
    s.put("gcCount", mem.get("gcCount"));
    s.put("eventLoopLagMs", lag.maxLagMillis());
    return s;
  }

  @Override
  public void close() {
    ticker.cancel(false);
    streams.forEach(Channel::close);
  }
}
