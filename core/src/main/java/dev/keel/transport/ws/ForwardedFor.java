package dev.keel.transport.ws;

import dev.keel.config.Cidr;
import dev.keel.config.ForwardedHeader;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The client's address in the forwarding header a trusted proxy wrote: {@code X-Forwarded-For} or
 * RFC 7239's {@code Forwarded}. Each proxy appends the address it took the request from, so the header
 * is read from the right: past the addresses of trusted proxies, the first other one is the client.
 * Anything to its left came from the client and may be made up. An entry that is not an address
 * ({@code unknown}, an obfuscated node, garbage) ends the walk at the address before it, so a
 * spoofed entry never gets through. The header is already bounded by the HTTP codec (8 KiB).
 */
final class ForwardedFor {
  private ForwardedFor() {}

  /**
   * @param peer the socket's peer: a trusted proxy
   * @param trusted whether an address is a trusted proxy
   * @return the client's address; {@code peer} when the header is absent or names nobody usable
   */
  static InetAddress client(HttpHeaders headers, ForwardedHeader which, InetAddress peer, Predicate<InetAddress> trusted) {
    List<String> nodes = switch (which) {
      case X_FORWARDED_FOR -> xForwardedFor(headers.getAll("X-Forwarded-For"));
      case FORWARDED -> forwarded(headers.getAll("Forwarded"));
      case NONE -> List.of();
    };
    InetAddress client = peer;
    for (int i = nodes.size() - 1; i >= 0 && trusted.test(client); i--) {
      InetAddress a = node(nodes.get(i));
      if (a == null) {
        break;
      }
      client = a;
    }
    return client;
  }

  /** {@code X-Forwarded-For: a, b} (several header lines read as one list). */
  static List<String> xForwardedFor(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        out.add(part.trim());
      }
    }
    return out;
  }

  /** The {@code for=} of each element of {@code Forwarded: for=a;proto=http, for="[b]:1"} (null: none given). */
  static List<String> forwarded(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      for (String element : split(v, ',')) {
        String forNode = null;
        for (String pair : split(element, ';')) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
            forNode = unquote(pair.substring(eq + 1).trim());
          }
        }
        out.add(forNode);
      }
    }
    return out;
  }

  /** Splits on {@code sep} outside quoted strings. */
  private static List<String> split(String s, char sep) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
        continue;
      }
      if (c == sep && !quoted) {
        parts.add(cur.toString().trim());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    parts.add(cur.toString().trim());
    return parts;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
      return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return v;
  }

  /**
   * An address from {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1},
   * {@code [2001:db8::1]} or {@code [2001:db8::1]:4711}; null for anything else (never a DNS lookup).
   */
  static InetAddress node(String node) {
    if (node == null || node.isEmpty()) {
      return null;
    }
    String host = node;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = host.substring(1, close);
    } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
      host = host.substring(0, host.indexOf(':')); // IPv4 with a port
    }
    return Cidr.literal(host);
  }
}
