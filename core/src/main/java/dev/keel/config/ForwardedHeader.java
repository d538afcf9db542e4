package dev.keel.config;

/**
 * The HTTP header a trusted proxy writes the client's address into, on the HTTP + WebSocket listener.
 * Only one is read: a proxy that writes one passes the other through from the client untouched, so
 * reading both would let a client choose its own address.
 */
public enum ForwardedHeader implements Option.Named {
  /** {@code X-Forwarded-For: client, proxy1, ...}: what nginx ({@code $proxy_add_x_forwarded_for}) and HAProxy ({@code option forwardfor}) write. */
  X_FORWARDED_FOR("x-forwarded-for"),
  /** RFC 7239's {@code Forwarded: for=client;proto=https, for=proxy1}. */
  FORWARDED("forwarded"),
  /** No header: only a PROXY protocol header (or the socket) tells the address. */
  NONE("none");

  private final String name;

  ForwardedHeader(String name) {
    this.name = name;
  }

  @Override
  public String optionName() {
    return name;
  }
}
