package dev.keel.engine;

import dev.keel.config.Cidr;
import dev.keel.config.CoreOptions;
import dev.keel.config.ForwardedHeader;
import dev.keel.config.KeelConfig;
import dev.keel.config.ProxyProtocol;
import java.net.InetAddress;
import java.util.List;

/**
 * Which peers are trusted proxies ({@code trusted-proxies}) and what they pass on: a PROXY header on
 * the listeners of {@code proxy-protocol}, a forwarding header ({@code forwarded-header}) on the HTTP
 * listener. Immutable; read on every accept.
 */
final class ProxyTrust {
  private final List<Cidr> trusted;
  private final ProxyProtocol proxyProtocol;
  private final ForwardedHeader forwardedHeader;

  ProxyTrust(KeelConfig config) {
    this.trusted = Cidr.parseAll(config.get(CoreOptions.TRUSTED_PROXIES));
    this.proxyProtocol = config.get(CoreOptions.PROXY_PROTOCOL);
    this.forwardedHeader = config.get(CoreOptions.FORWARDED_HEADER);
  }

  boolean trusted(InetAddress address) {
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a connection from {@code peer} waits for its client's address before admission: a trusted
   * proxy on a listener where it tells one (a PROXY header, or on HTTP a forwarding header).
   */
  boolean defers(InetAddress peer, boolean tcp) {
    if (trusted.isEmpty() || !trusted(peer)) {
      return false;
    }
    return proxyProtocol.on(tcp) || (!tcp && forwardedHeader != ForwardedHeader.NONE);
  }

  /** Whether the listener reads a PROXY header first (from every peer: untrusted ones are refused one). */
  boolean proxyProtocol(boolean tcp) {
    return proxyProtocol.on(tcp);
  }
}
