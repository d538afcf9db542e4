package dev.keel.cli;

import dev.keel.admin.AdminOptions;
import dev.keel.config.CoreOptions;
import dev.keel.config.ForwardedHeader;
import dev.keel.config.KeelConfig;
import dev.keel.config.ProxyProtocol;
import dev.keel.serve.ServeOptions;

/**
 * The lines {@code keel serve} prints once it listens: where to connect, publish and watch, who may
 * connect, and how to stop it. Made from the running server's ports (port 0 becomes the real one).
 */
final class Banner {
  private Banner() {}

  /**
   * @param wsPort the WebSocket/HTTP port, or -1 when that listener is off
   * @param tcpPort the framed-TCP port, or -1
   * @param adminPort the admin port, or -1
   */
  static String text(KeelConfig c, int wsPort, int tcpPort, int adminPort) {
    boolean tls = c.get(CoreOptions.TLS_CERT) != null;
    String host = urlHost(c.get(CoreOptions.HOST));
    StringBuilder b = new StringBuilder();
    b.append(Main.VERSION).append(" is serving. Ctrl-C (or SIGTERM) drains and stops.\n");
    if (wsPort >= 0) {
      String http = (tls ? "https://" : "http://") + host + ":" + wsPort;
      row(b, "WebSocket", (tls ? "wss://" : "ws://") + host + ":" + wsPort + c.get(CoreOptions.WS_PATH));
      row(b, "publish", "POST " + http + "/api/publish  {\"topic\":\"news\",\"data\":{...}}"
          + (c.get(ServeOptions.API_KEY) != null ? "  (Authorization: Bearer <api-key>)" : ""));
      row(b, "health", http + "/healthz");
    }
    if (tcpPort >= 0) {
      row(b, "framed TCP", host + ":" + tcpPort + (tls ? " (TLS)" : "") + "  (4-byte length, then JSON)");
    }
    if (adminPort >= 0) {
      String admin = "http://" + urlHost(c.get(AdminOptions.ADMIN_HOST)) + ":" + adminPort;
      row(b, "dashboard", admin + "/  (metrics " + admin + "/metrics)");
    }
    row(b, "auth", auth(c));
    if (!c.get(CoreOptions.TRUSTED_PROXIES).isEmpty()) {
      ProxyProtocol pp = c.get(CoreOptions.PROXY_PROTOCOL);
      ForwardedHeader fh = c.get(CoreOptions.FORWARDED_HEADER);
      row(b, "proxies", String.join(",", c.get(CoreOptions.TRUSTED_PROXIES)) + ": client address from "
          + (pp == ProxyProtocol.OFF ? "" : "the PROXY header (" + pp.optionName() + ")" + (fh == ForwardedHeader.NONE ? "" : ", "))
          + (fh == ForwardedHeader.NONE ? "" : fh.optionName() + " (HTTP)"));
    }
    return b.toString();
  }

  private static String auth(KeelConfig c) {
    if (c.get(CoreOptions.AUTH_HMAC_SECRET) != null) {
      return "connect tokens (JWT HS256, auth-hmac-secret; `keel token` mints one for development)";
    }
    if (c.get(CoreOptions.AUTH_PUBLIC_KEY) != null) {
      return "connect tokens (JWT RS256/ES256, auth-public-key " + c.get(CoreOptions.AUTH_PUBLIC_KEY) + ")";
    }
    return "none: anyone who can reach " + c.get(CoreOptions.HOST) + " may connect, subscribe and publish"
        + " (docs/security.md)";
  }

  private static void row(StringBuilder b, String name, String value) {
    b.append("  ").append(String.format("%-11s", name)).append(value).append('\n');
  }

  /** A host for a URL: a wildcard bind is reached on loopback; an IPv6 literal goes in brackets. */
  static String urlHost(String bind) {
    if (bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]")) {
      return "127.0.0.1";
    }
    return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
  }
}
