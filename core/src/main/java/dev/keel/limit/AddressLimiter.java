package dev.keel.limit;

import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-address admission: at most {@code maxPerAddress} open connections, and new connections at most
 * {@code ratePerSecond} (burst {@code burst}) per address; and HTTP requests to routes at most
 * {@code requestsPerSecond} per address over all its connections (burst: one second's worth). Stops
 * reconnect storms and one abusive host from taking what others need. Which address a connection
 * counts for is {@code session.ClientAddress}'s to say.
 *
 * <p>The table is bounded: an entry with no open connection and a full bucket holds nothing worth
 * keeping, and is removed by a sweep that runs whenever the table has doubled since the last one.
 * Entries with open connections are bounded by {@code max-connections}; so a flood from many
 * addresses costs at most a table of the addresses that are connected or rate-limited right now.
 *
 * <p>Thread-safe: accept paths on several event loops call it; each entry's lock is held for a few
 * arithmetic operations.
 */
public final class AddressLimiter {
  /** Why an address was refused. */
  public enum Verdict { ADMITTED, TOO_MANY_CONNECTIONS, TOO_FAST }

  private static final int MIN_SWEEP_SIZE = 1024;

  private final int maxPerAddress;
  private final long nanosPerToken;
  private final int burst;
  private final long nanosPerRequest;
  private final int requestBurst;
  private final Ticker ticker;
  private final ConcurrentHashMap<InetAddress, Entry> table = new ConcurrentHashMap<>();
  private final AtomicLong sweepAt = new AtomicLong(MIN_SWEEP_SIZE);

  private static final class Entry {
    /** Set by a sweep that removed it: an acquirer holding a stale reference must look again. */
    boolean removed;
    int open;
    double tokens;
    long refilledAt;
    double requestTokens;
    long requestsRefilledAt;
  }

  public AddressLimiter(int maxPerAddress, int ratePerSecond, int burst, Ticker ticker) {
    this(maxPerAddress, ratePerSecond, burst, 1_000_000, ticker);
  }

  /** @param requestsPerSecond HTTP requests to routes per second from one address (the burst is one second's worth) */
  public AddressLimiter(int maxPerAddress, int ratePerSecond, int burst, int requestsPerSecond, Ticker ticker) {
    this.maxPerAddress = maxPerAddress;
    this.nanosPerToken = 1_000_000_000L / ratePerSecond;
    this.burst = burst;
    this.nanosPerRequest = Math.max(1, 1_000_000_000L / requestsPerSecond);
    this.requestBurst = requestsPerSecond;
    this.ticker = ticker;
  }

  /** Admits a new connection from {@code address} (then {@link #release} it when it closes) or refuses it. */
  public Verdict tryAcquire(InetAddress address) {
    return acquire(address, true);
  }

  /**
   * Counts a new connection from {@code address} without taking a connect token: for one the connect
   * rate refused whose first request may still prove it exempt (an HTTP publish with a valid API key).
   * Refused only when the address has {@code maxPerAddress} open; then {@link #release} it as usual.
   */
  public Verdict acquireSlot(InetAddress address) {
    return acquire(address, false);
  }

  private Verdict acquire(InetAddress address, boolean takeToken) {
    long now = ticker.nanoTime();
    Verdict v;
    while (true) {
      Entry e = table.computeIfAbsent(address, a -> fresh(now));
      synchronized (e) {
        if (e.removed) {
          continue;
        }
        v = admit(e, now, takeToken);
        break;
      }
    }
    if (table.size() >= sweepAt.get()) {
      sweep(now);
    }
    return v;
  }

  private Entry fresh(long now) {
    Entry e = new Entry();
    e.tokens = burst;
    e.refilledAt = now;
    e.requestTokens = requestBurst;
    e.requestsRefilledAt = now;
    return e;
  }

  /**
   * Takes one of {@code address}'s HTTP request tokens, if it has one. The address has an entry while
   * it has a connection open (a request always does); one swept meanwhile starts afresh.
   */
  public boolean tryRequest(InetAddress address) {
    long now = ticker.nanoTime();
    while (true) {
      Entry e = table.computeIfAbsent(address, a -> fresh(now));
      synchronized (e) {
        if (e.removed) {
          continue;
        }
        refillRequests(e, now);
        if (e.requestTokens < 1) {
          return false;
        }
        e.requestTokens -= 1;
        return true;
      }
    }
  }

  private void refillRequests(Entry e, long now) {
    long elapsed = now - e.requestsRefilledAt;
    if (elapsed > 0) {
      e.requestTokens = Math.min(requestBurst, e.requestTokens + (double) elapsed / nanosPerRequest);
      e.requestsRefilledAt = now;
    }
  }

  /** Called holding the entry's lock. */
  private Verdict admit(Entry e, long now, boolean takeToken) {
    refill(e, now);
    if (e.open >= maxPerAddress) {
      return Verdict.TOO_MANY_CONNECTIONS;
    }
    if (takeToken) {
      if (e.tokens < 1) {
        return Verdict.TOO_FAST;
      }
      e.tokens -= 1;
    }
    e.open++;
    return Verdict.ADMITTED;
  }

  public void release(InetAddress address) {
    Entry e = table.get(address);
    if (e != null) {
      synchronized (e) {
        e.open--;
      }
    }
  }

  /** Addresses tracked now (for tests and the debug view). */
  public int trackedAddresses() {
    return table.size();
  }

  /** Open connections counted for {@code address}. */
  public int open(InetAddress address) {
    Entry e = table.get(address);
    if (e == null) {
      return 0;
    }
    synchronized (e) {
      return e.open;
    }
  }

  private void refill(Entry e, long now) {
    long elapsed = now - e.refilledAt;
    if (elapsed > 0) {
      e.tokens = Math.min(burst, e.tokens + (double) elapsed / nanosPerToken);
      e.refilledAt = now;
    }
  }

  /** Drops entries that hold nothing: no open connection and buckets that have refilled. */
  public void sweep(long now) {
    table.entrySet().removeIf(entry -> {
      Entry e = entry.getValue();
      synchronized (e) {
        refill(e, now);
        refillRequests(e, now);
        e.removed = e.open <= 0 && e.tokens >= burst && e.requestTokens >= requestBurst;
        return e.removed;
      }
    });
    sweepAt.set(Math.max(MIN_SWEEP_SIZE, 2L * table.size()));
  }
}
