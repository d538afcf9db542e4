package dev.keel.limit;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The one place that says which address a per-address limit counts for a connection: today the
 * socket's peer address. Behind a reverse proxy or a NAT that is the proxy's address, shared by every
 * client behind it (docs/security.md, "Limits per address"); a deployment that knows its clients' real
 * addresses changes this method, and every limit follows.
 *
 * <p>Usage: {@code InetAddress counted = ClientAddress.of(channel);}
 */
public final class ClientAddress {
  private ClientAddress() {}

  /** The address limits count for {@code ch}, or null when it has none (an in-process channel). */
  public static InetAddress of(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
  }

  /** The counted address as text, for refusals and logs ({@code "in-process"} when there is none). */
  public static String describe(Channel ch) {
    InetAddress a = of(ch);
    return a == null ? "in-process" : a.getHostAddress();
  }
}
