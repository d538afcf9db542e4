package dev.keel.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A block of addresses written in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or one
 * address ({@code 192.0.2.7}, a /32 or /128): how {@code trusted-proxies} names the reverse proxies
 * whose word on a client's address Keel takes. Parsing never resolves a name: only address literals
 * are accepted.
 *
 * <p>Usage: {@code Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("10.1.2.3"))} is true.
 *
 * @param network the first address of the block (host bits zero)
 * @param prefix how many leading bits every address of the block shares
 */
public record Cidr(InetAddress network, int prefix) {
  public Cidr {
    int bits = network.getAddress().length * 8;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix /" + prefix + " is out of range for " + network.getHostAddress());
    }
    network = masked(network, prefix);
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code ::1} or {@code fd00::/8}.
   *
   * @throws IllegalArgumentException naming what is wrong (not an address literal, a bad prefix)
   */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    InetAddress a = literal(address);
    if (a == null) {
      throw new IllegalArgumentException("'" + text + "' is not an address or CIDR block (e.g. 10.0.0.0/8, 127.0.0.1, ::1)");
    }
    int bits = a.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = t.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("'" + text + "' has a bad prefix: /0 to /" + bits + " for this address");
      }
      prefix = Integer.parseInt(p);
    }
    return new Cidr(a, prefix);
  }

  /** Every entry of {@code texts} parsed; the first bad one throws. */
  public static List<Cidr> parseAll(List<String> texts) {
    List<Cidr> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(parse(t));
    }
    return List.copyOf(out);
  }

  /** Null when every entry parses, else what is wrong with the first that does not (an option check). */
  static String problem(List<String> texts) {
    try {
      parseAll(texts);
      return null;
    } catch (IllegalArgumentException e) {
      return "has a bad entry: " + e.getMessage();
    }
  }

  /** Whether {@code address} is in this block (an IPv4 address is never in an IPv6 block, or back). */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != n[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    return rest == 0 || ((a[full] ^ n[full]) & (0xff << (8 - rest)) & 0xff) == 0;
  }

  /**
   * The address {@code text} names, if it is an IPv4 or IPv6 literal; null otherwise. Never a DNS
   * lookup: a name is simply not an address here.
   */
  public static InetAddress literal(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    boolean v4 = text.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    // Only hex digits, colons and dots: InetAddress then reads a literal and looks nothing up.
    boolean v6 = text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static InetAddress masked(InetAddress a, int prefix) {
    byte[] b = a.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + b.length + " bytes", e);
    }
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }
}
