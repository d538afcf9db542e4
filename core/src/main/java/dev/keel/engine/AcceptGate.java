package dev.keel.engine;

import dev.keel.limit.AddressLimiter;
import dev.keel.session.Admission;
import dev.keel.session.CloseCause;
import dev.keel.session.SessionCounters;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Per-address admission at accept, before any pipeline exists. A refused TCP connection is closed at
 * once; a refused HTTP connection keeps its pipeline so that its request is answered 503 (see
 * {@link Admission}). Runs on the accepting event loop; the limiter is thread-safe.
 */
final class AcceptGate {
  private final AddressLimiter limiter;
  private final SessionCounters counters;
  private final ChannelGroup allChannels;

  AcceptGate(AddressLimiter limiter, SessionCounters counters, ChannelGroup allChannels) {
    this.limiter = limiter;
    this.counters = counters;
    this.allChannels = allChannels;
  }

  /** Returns false when the channel was closed and must get no pipeline. */
  boolean admit(Channel ch, SessionCounters.Transport counted) {
    allChannels.add(ch);
    if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
      return true;
    }
    InetAddress address = remote.getAddress();
    AddressLimiter.Verdict verdict = limiter.tryAcquire(address);
    if (verdict == AddressLimiter.Verdict.ADMITTED) {
      ch.closeFuture().addListener(f -> limiter.release(address));
      return true;
    }
    CloseCause reason = verdict == AddressLimiter.Verdict.TOO_MANY_CONNECTIONS
        ? CloseCause.IP_LIMIT : CloseCause.CONNECT_RATE;
    counted.closed(reason);
    if (counted == counters.tcp) {
      ch.close();
      return false;
    }
    Admission.refuse(ch, reason);
    return true;
  }

  AddressLimiter limiter() {
    return limiter;
  }
}
