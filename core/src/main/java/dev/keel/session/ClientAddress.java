package dev.keel.session;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Predicate;

/**
 * Who is at the other end of a connection: the socket's peer, or, for a connection from a trusted
 * reverse proxy ({@code trusted-proxies}), the client that the proxy passed on: from a PROXY protocol
 * header, or from the first HTTP request's forwarding header. It is learnt once per connection, and
 * the per-address limits, the connection ledger ({@link Session#describe()}), the close log and the
 * logs all read it here, so they can never disagree.
 *
 * <p>A connection from a trusted proxy is not admitted at accept (the proxy's address says nothing of
 * its client): the engine {@link #expect expects} a client, and admission runs when the transport
 * {@link #learn learns} it. A direct connection carries nothing here: {@link #of} is its socket's
 * peer, at no cost per connection.
 *
 * <p>Usage: {@code SocketAddress who = ClientAddress.of(channel);}
 *
 * <p>Threading: set and learnt on the channel's event loop; {@link #of} may be read anywhere.
 */
public final class ClientAddress {
  private static final AttributeKey<ClientAddress> KEY = AttributeKey.valueOf("keel.client-address");

  /** The per-address admission a connection from a trusted proxy waits for until its client is known. */
  @FunctionalInterface
  public interface Admission {
    /**
     * Admits {@code client} on {@code ch} (releasing it when the channel closes), or refuses it: a
     * refused framed-TCP connection is closed, a refused HTTP one answers its request 503.
     *
     * @return null when admitted, else why not
     */
    CloseCause admit(Channel ch, InetAddress client);
  }

  private final Admission admission;
  private final Predicate<InetAddress> trustedProxies;
  private volatile InetSocketAddress client;

  private ClientAddress(Admission admission, Predicate<InetAddress> trustedProxies) {
    this.admission = admission;
    this.trustedProxies = trustedProxies;
  }

  /**
   * {@code ch} comes from a trusted proxy: its client is to be learnt (from a PROXY header or the first
   * HTTP request), and {@code admission} runs then.
   *
   * @param trustedProxies the proxies a forwarding header's chain is walked past
   */
  public static void expect(Channel ch, Admission admission, Predicate<InetAddress> trustedProxies) {
    ch.attr(KEY).set(new ClientAddress(admission, trustedProxies));
  }

  /** Whether {@code ch} comes from a trusted proxy and its client is not known yet. */
  public static boolean pending(Channel ch) {
    ClientAddress c = find(ch);
    return c != null && c.client == null;
  }

  /** Whether {@code ch} came from a trusted proxy (its client learnt or not). */
  public static boolean fromTrustedProxy(Channel ch) {
    return find(ch) != null;
  }

  /** Whether {@code address} is one of the trusted proxies of {@code ch} (false for a direct connection). */
  public static boolean trusted(Channel ch, InetAddress address) {
    ClientAddress c = find(ch);
    return c != null && c.trustedProxies.test(address);
  }

  /**
   * Sets the client of a pending connection and admits it by that address. Only the first call counts
   * (the address is learnt once); later ones, and calls for a direct connection, return null.
   *
   * @return null when admitted, else why it was refused (see {@link Admission#admit})
   */
  public static CloseCause learn(Channel ch, InetSocketAddress client) {
    ClientAddress c = find(ch);
    if (c == null || c.client != null) {
      return null;
    }
    c.client = client;
    return c.admission.admit(ch, client.getAddress());
  }

  /** The client's address: the one a trusted proxy told, else the socket's peer. */
  public static SocketAddress of(Channel ch) {
    ClientAddress c = find(ch);
    InetSocketAddress learnt = c == null ? null : c.client;
    return learnt != null ? learnt : ch.remoteAddress();
  }

  /**
   * The client's IP address, as the per-address limits count it (the one a trusted proxy told, else the
   * socket's peer), or null for a channel without one (in-process).
   */
  public static InetAddress inet(Channel ch) {
    return of(ch) instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  private static ClientAddress find(Channel ch) {
    // hasAttr first: attr() would create an empty attribute on every direct connection.
    return ch.hasAttr(KEY) ? ch.attr(KEY).get() : null;
  }
}
