package dev.keel.testing;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/** Reads a running server's event loops and allocator from the inside, for the leak checks. */
public final class ServerProbes {
  private ServerProbes() {}

  /** Scheduled tasks waiting on the event loops (read on each loop, from Netty's own queue). */
  public static int scheduledTasks(EventLoopGroup loops) throws Exception {
    Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
    queue.setAccessible(true);
    int total = 0;
    for (EventExecutor loop : loops) {
      total += loop.submit(() -> {
        Collection<?> q = (Collection<?>) queue.get(loop);
        return q == null ? 0 : q.size();
      }).get(10, TimeUnit.SECONDS);
    }
    return total;
  }

  /**
   * Buffers allocated and not yet freed. Each loop's thread-local cache is trimmed first (on that
   * loop), since a cached buffer counts as allocated until then.
   */
  public static long activeAllocations(PooledByteBufAllocator allocator, EventLoopGroup loops) throws Exception {
    for (EventExecutor loop : loops) {
      loop.submit(allocator::trimCurrentThreadCache).get(10, TimeUnit.SECONDS);
    }
    long active = 0;
    for (PoolArenaMetric a : allocator.metric().directArenas()) {
      active += a.numActiveAllocations();
    }
    for (PoolArenaMetric a : allocator.metric().heapArenas()) {
      active += a.numActiveAllocations();
    }
    return active;
  }
}
