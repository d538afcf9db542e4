package dev.keel.engine;

import dev.keel.limit.AddressLimiter;
import dev.keel.limit.SocketBudget;
import dev.keel.session.CloseCause;
import dev.keel.session.CloseLog;
import dev.keel.spi.SocketGate;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The {@link SocketGate} of an extension's listener: its sockets come from a reserve of the socket
 * budget, at most {@code perAddress} from one client address. Thread-safe.
 */
final class ReservedGate implements SocketGate {
  private final String listener;
  private final SocketBudget.Pool pool;
  private final AddressLimiter addresses;
  private final int perAddress;

  ReservedGate(String listener, SocketBudget.Pool pool, AddressLimiter addresses, int perAddress) {
    this.listener = listener;
    this.pool = pool;
    this.addresses = addresses;
    this.perAddress = perAddress;
  }

  @Override
  public boolean admit(Channel ch) {
    if (!pool.tryAcquire()) {
      CloseLog.closed(ch, listener, CloseCause.SERVER_FULL, "its " + pool.limit() + " reserved sockets are in use");
      return false;
    }
    // The admin listener takes no proxy: its peer is the operator.
    InetAddress address = ch.remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
    if (address != null && addresses.tryAcquire(address) != AddressLimiter.Verdict.ADMITTED) {
      pool.release();
      CloseLog.closed(ch, listener, CloseCause.IP_LIMIT, address.getHostAddress() + " holds its share of "
          + perAddress + " sockets");
      return false;
    }
    ch.closeFuture().addListener(f -> {
      pool.release();
      if (address != null) {
        addresses.release(address);
      }
    });
    return true;
  }

  @Override
  public void listening(Channel serverChannel) {
    serverChannel.pipeline().addLast("accept-errors", new AcceptErrors(listener));
  }
}
