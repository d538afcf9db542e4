package dev.keel.engine;

import dev.keel.limit.AddressLimiter;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.Stage;
import dev.keel.session.Admission;
import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.SessionCounters;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Admission at accept, before any pipeline exists: the memory budget's stage (framed TCP is refused
 * above the high mark) and the per-address limits. Each admitted channel is charged to the budget. A
 * refused TCP connection is closed at once; a refused HTTP connection keeps its pipeline so that its request is answered 503 (see
 * {@link Admission}), and is counted then. A connection from a trusted proxy is admitted later, by its
 * client's address, once the PROXY header or its first request tells it ({@link ProxyTrust},
 * {@link ClientAddress}). Runs on the accepting event loop; the limiter is thread-safe.
 */
final class AcceptGate {
  private final AddressLimiter limiter;
  private final SessionCounters counters;
  private final ChannelGroup allChannels;
  private final ProxyTrust proxies;
  private final MemoryBudget budget;

  AcceptGate(AddressLimiter limiter, SessionCounters counters, ChannelGroup allChannels, ProxyTrust proxies,
      MemoryBudget budget) {
    this.limiter = limiter;
    this.counters = counters;
    this.allChannels = allChannels;
    this.proxies = proxies;
    this.budget = budget;
  }

  /** Returns false when the channel was closed and must get no pipeline. */
  boolean admit(Channel ch, SessionCounters.Transport counted) {
    allChannels.add(ch);
    if (counted == counters.tcp && budget.stage() != Stage.NORMAL) {
      // Over the high mark: a TCP client has nothing to read a refusal from, so it is closed at once.
      // (HTTP connections are admitted: health checks and metrics must still answer, and an upgrade
      // is refused with 503 by the HTTP handler.)
      counted.closed(CloseCause.OVERLOAD_REFUSED);
      budget.count(MemoryBudget.Action.REFUSED);
      ch.close();
      return false;
    }
    // Every open connection costs the budget, from accept to close: a flood of idle ones meets it too.
    budget.charge(MemoryBudget.Kind.CONNECTIONS, MemoryBudget.CONNECTION_COST);
    ch.closeFuture().addListener(f -> budget.release(MemoryBudget.Kind.CONNECTIONS, MemoryBudget.CONNECTION_COST));
    if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
      return true;
    }
    boolean tcp = counted == counters.tcp;
    if (proxies.defers(remote.getAddress(), tcp)) {
      ClientAddress.expect(ch, (c, client) -> admit(c, client, counted), proxies::trusted);
      return true;
    }
    return admit(ch, remote.getAddress(), counted) == null || !tcp;
  }

  /**
   * Admits {@code client} on {@code ch} by the per-address limits: null when admitted (released when
   * the channel closes), else why not. An HTTP connection over the connect rate still takes a slot and
   * is marked: its request is answered 503 unless it proves a credential the rate does not apply to.
   */
  private CloseCause admit(Channel ch, InetAddress client, SessionCounters.Transport counted) {
    boolean tcp = counted == counters.tcp;
    AddressLimiter.Verdict verdict = limiter.tryAcquire(client);
    CloseCause refusal = null;
    if (verdict == AddressLimiter.Verdict.TOO_FAST && !tcp) {
      refusal = CloseCause.CONNECT_RATE; // unless its request is exempt (HttpRoute.exemptFromConnectRate)
      verdict = limiter.acquireSlot(client);
    }
    if (verdict == AddressLimiter.Verdict.ADMITTED) {
      ch.closeFuture().addListener(f -> limiter.release(client));
    } else {
      refusal = verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS ? CloseCause.IP_LIMIT : CloseCause.CONNECT_RATE;
    }
    if (refusal != null) {
      if (tcp) {
        counted.closed(refusal);
        ch.close();
      } else {
        Admission.refuse(ch, refusal);
      }
    }
    return refusal;
  }

  /** Whether the listener reads a PROXY protocol header first ({@code proxy-protocol}). */
  boolean proxyProtocol(boolean tcp) {
    return proxies.proxyProtocol(tcp);
  }

  AddressLimiter limiter() {
    return limiter;
  }
}
