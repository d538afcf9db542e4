package dev.keel.engine;

import dev.keel.limit.AddressLimiter;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.SocketBudget;
import dev.keel.limit.Stage;
import dev.keel.session.Admission;
import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.CloseLog;
import dev.keel.session.SessionCounters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Admission at accept, before any pipeline exists, in this order: the socket budget
 * ({@code max-sockets}: a socket over it is closed at once, whatever its listener); the memory
 * budget's stage (framed TCP is refused above the high mark; each admitted channel is charged to the
 * budget); then the per-address limits, for the client's address ({@link ClientAddress}). A connection
 * from a trusted proxy is admitted by its client's address later, once the PROXY header or its first
 * request tells it ({@link ProxyTrust}). A refused TCP connection is closed at once; a refused HTTP
 * connection keeps its pipeline so that its request is answered 503 with the limit and the address that
 * was counted (see {@link Admission}), and is counted then. Runs on the accepting event loop; the
 * limiter and the budgets are thread-safe.
 */
final class AcceptGate {
  private final AddressLimiter limiter;
  private final SocketBudget.Pool sockets;
  private final SessionCounters counters;
  private final OpenChannels allChannels;
  private final ProxyTrust proxies;
  private final MemoryBudget budget;
  private final int maxPerAddress;
  private final int ratePerAddress;

  AcceptGate(AddressLimiter limiter, SocketBudget.Pool sockets, SessionCounters counters, OpenChannels allChannels,
      ProxyTrust proxies, MemoryBudget budget, int maxPerAddress, int ratePerAddress) {
    this.limiter = limiter;
    this.sockets = sockets;
    this.counters = counters;
    this.allChannels = allChannels;
    this.proxies = proxies;
    this.budget = budget;
    this.maxPerAddress = maxPerAddress;
    this.ratePerAddress = ratePerAddress;
  }

  /**
   * Returns false when the channel was closed and must get no pipeline.
   *
   * @param direct no proxy can be in front (the private warm-up listener): every peer is its own client
   */
  boolean admit(Channel ch, SessionCounters.Transport counted, boolean direct) {
    boolean tcp = counted == counters.tcp;
    if (!sockets.tryAcquire()) {
      counted.closed(CloseCause.SERVER_FULL);
      CloseLog.closed(ch, tcp ? "tcp" : "http", CloseCause.SERVER_FULL,
          "max-sockets: all " + sockets.limit() + " sockets of the public listeners are in use");
      ch.close();
      return false;
    }
    // Added before the listener: a channel already closed is notified at once, and removed again.
    boolean beforeStop = allChannels.add(ch);
    Releases releases = new Releases();
    ch.closeFuture().addListener(releases);
    if (!beforeStop) {
      ch.close(); // accepted as the server stopped, after its sweep of open channels
      return false;
    }
    if (tcp && budget.stage() != Stage.NORMAL) {
      // Over the high mark: a TCP client has nothing to read a refusal from, so it is closed at once.
      // (HTTP connections are admitted: health checks and metrics must still answer, and an upgrade
      // is refused with 503 by the HTTP handler.)
      counted.closed(CloseCause.OVERLOAD_REFUSED);
      budget.count(MemoryBudget.Action.REFUSED);
      ch.close();
      return false;
    }
    // Every open connection costs the budget, from accept to close: a flood of idle ones meets it too.
    budget.connectionOpened();
    releases.budget();
    if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
      return true; // in-process: no address to count
    }
    if (!direct && proxies.defers(remote.getAddress(), tcp)) {
      ClientAddress.expect(ch, (c, client) -> admit(c, client, counted, releases), proxies::trusted);
      return true;
    }
    return admit(ch, remote.getAddress(), counted, releases) == null || !tcp;
  }

  /**
   * Admits {@code client} on {@code ch} by the per-address limits: null when admitted (released when
   * the channel closes), else why not. An HTTP connection over the connect rate still takes a slot and
   * is marked: its request is answered 503 unless it proves a credential the rate does not apply to.
   */
  private CloseCause admit(Channel ch, InetAddress client, SessionCounters.Transport counted, Releases releases) {
    boolean tcp = counted == counters.tcp;
    AddressLimiter.Verdict verdict = limiter.tryAcquire(client);
    AddressLimiter.Verdict refused = verdict;
    if (verdict == AddressLimiter.Verdict.TOO_FAST && !tcp) {
      verdict = limiter.acquireSlot(client); // unless its request is exempt (HttpRoute.connectRateExempt)
      if (verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS) {
        refused = verdict;
      }
    }
    if (verdict == AddressLimiter.Verdict.ADMITTED) {
      releases.address(client);
      if (refused == AddressLimiter.Verdict.ADMITTED) {
        return null;
      }
    }
    CloseCause reason = refused == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS
        ? CloseCause.IP_LIMIT : CloseCause.CONNECT_RATE;
    String why = refusal(client, refused);
    if (tcp) {
      counted.closed(reason);
      CloseLog.closed(ch, "tcp", reason, why);
      ch.close();
    } else {
      Admission.refuse(ch, reason, why + ", try again later");
    }
    return reason;
  }

  /** What a refusal says: the address counted, the limit, and what the limit counts. */
  private String refusal(InetAddress address, AddressLimiter.Verdict verdict) {
    String who = address.getHostAddress();
    return verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS
        ? "too many connections from " + who + " (max-connections-per-ip " + maxPerAddress
            + " counts the open connections of each client address)"
        : "connecting too fast from " + who + " (connect-rate-per-ip " + ratePerAddress
            + "/s counts the new connections of each client address)";
  }

  /** Whether the listener reads a PROXY protocol header first ({@code proxy-protocol}). */
  boolean proxyProtocol(boolean tcp) {
    return proxies.proxyProtocol(tcp);
  }

  AddressLimiter limiter() {
    return limiter;
  }

  /**
   * What an admitted channel gives back when it closes: its socket, its charge to the memory budget and
   * its per-address slot, each once acquired. One listener on the close future rather than one per
   * resource: Netty keeps a single listener in a field, and a second makes a listener array (three
   * lambdas and the array were 112 B of every idle connection's heap).
   *
   * <p>Confined to the channel's event loop: admission runs in its initializer or, behind a trusted
   * proxy, in its pipeline, and the close future notifies there. A resource acquired after the close has
   * already been reported is given back at once, as a listener added to a done future would have been.
   */
  private final class Releases implements ChannelFutureListener {
    // The socket pool, the open-channel set, the budget and the limiter are the gate's (one per
    // server): only what differs per connection is kept here, 16 bytes less on every connection.
    /** The per-address slot's address, once one is held; else null. */
    private InetAddress client;
    private boolean charged;
    private boolean closed;

    void budget() {
      if (closed) {
        budget.connectionClosed();
      } else {
        charged = true;
      }
    }

    void address(InetAddress client) {
      if (closed) {
        limiter.release(client);
      } else {
        this.client = client;
      }
    }

    @Override
    public void operationComplete(ChannelFuture f) {
      closed = true;
      allChannels.remove(f.channel());
      sockets.release();
      if (charged) {
        budget.connectionClosed();
      }
      if (client != null) {
        limiter.release(client);
      }
    }
  }
}
