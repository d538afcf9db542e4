package dev.keel.config;

import java.util.Locale;

/**
 * Which listeners expect a PROXY protocol header (v1 or v2) from the trusted proxies in front of them:
 * the header carries the client's address, and comes before any other byte (before TLS too).
 */
public enum ProxyProtocol implements Option.Named {
  /** No header is expected; a connection from a trusted proxy has the proxy's address (or, on HTTP, a forwarding header's). */
  OFF,
  /** The HTTP + WebSocket listener ({@code ws-port}). */
  WS,
  /** The framed-TCP listener ({@code tcp-port}). */
  TCP,
  /** Both listeners. */
  BOTH;

  /** Whether the listener expects the header; {@code tcp} names the framed-TCP one. */
  public boolean on(boolean tcp) {
    return this == BOTH || this == (tcp ? TCP : WS);
  }

  @Override
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
