package dev.keel.engine;

import dev.keel.limit.AddressLimiter;
import dev.keel.limit.ClientAddress;
import dev.keel.limit.SocketBudget;
import dev.keel.session.Admission;
import dev.keel.session.CloseCause;
import dev.keel.session.CloseLog;
import dev.keel.session.SessionCounters;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import java.net.InetAddress;

/**
 * Admission at accept, before any pipeline exists: first the socket budget ({@code max-sockets}: a
 * socket over it is closed at once, whatever its listener), then the per-address limits for the
 * address {@link ClientAddress} names. A refused TCP connection is closed at once; a refused HTTP
 * connection keeps its pipeline so that its request is answered 503 with the limit and the address
 * that was counted (see {@link Admission}). Runs on the accepting event loop; the limiter and the
 * budget are thread-safe.
 */
final class AcceptGate {
  private final AddressLimiter limiter;
  private final SocketBudget.Pool sockets;
  private final SessionCounters counters;
  private final ChannelGroup allChannels;
  private final int maxPerAddress;
  private final int ratePerAddress;

  AcceptGate(AddressLimiter limiter, SocketBudget.Pool sockets, SessionCounters counters, ChannelGroup allChannels,
      int maxPerAddress, int ratePerAddress) {
    this.limiter = limiter;
    this.sockets = sockets;
    this.counters = counters;
    this.allChannels = allChannels;
    this.maxPerAddress = maxPerAddress;
    this.ratePerAddress = ratePerAddress;
  }

  /** Returns false when the channel was closed and must get no pipeline. */
  boolean admit(Channel ch, SessionCounters.Transport counted) {
    if (!sockets.tryAcquire()) {
      counted.closed(CloseCause.SERVER_FULL);
      CloseLog.closed(ch, counted == counters.tcp ? "tcp" : "http", CloseCause.SERVER_FULL,
          "max-sockets: all " + sockets.limit() + " sockets of the public listeners are in use");
      ch.close();
      return false;
    }
    ch.closeFuture().addListener(f -> sockets.release());
    allChannels.add(ch);
    InetAddress address = ClientAddress.of(ch);
    if (address == null) {
      return true;
    }
    AddressLimiter.Verdict verdict = limiter.tryAcquire(address);
    if (verdict == AddressLimiter.Verdict.ADMITTED) {
      ch.closeFuture().addListener(f -> limiter.release(address));
      return true;
    }
    CloseCause reason = verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS
        ? CloseCause.IP_LIMIT : CloseCause.CONNECT_RATE;
    String why = refusal(address, verdict);
    counted.closed(reason);
    CloseLog.closed(ch, counted == counters.tcp ? "tcp" : "http", reason, why);
    if (counted == counters.tcp) {
      ch.close();
      return false;
    }
    Admission.refuse(ch, reason, why + ", try again later");
    return true;
  }

  /** What a refusal says: the address counted, the limit, and what the limit counts. */
  private String refusal(InetAddress address, AddressLimiter.Verdict verdict) {
    String who = address.getHostAddress();
    return verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS
        ? "too many connections from " + who + " (max-connections-per-ip " + maxPerAddress
            + " counts the open connections of each client address; behind a proxy, the proxy's)"
        : "connecting too fast from " + who + " (connect-rate-per-ip " + ratePerAddress
            + "/s counts the new connections of each client address; behind a proxy, the proxy's)";
  }

  AddressLimiter limiter() {
    return limiter;
  }
}
