package dev.keel.load.client;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The server under test. Loopback only: a load tool pointed at someone else's machine by a typo is a
 * denial of service, so anything else is refused before a socket opens.
 *
 * <p>Usage: {@code Target t = Target.loopback("127.0.0.1", 8080, 9090);}
 */
public record Target(InetAddress address, int wsPort, int tcpPort) {

  public static Target loopback(String host, int wsPort, int tcpPort) {
    return new Target(requireLoopback(host, "--host"), wsPort, tcpPort);
  }

  /** Resolves {@code host} and refuses it unless it is a loopback address (127.0.0.0/8, ::1). */
  public static InetAddress requireLoopback(String host, String what) {
    InetAddress a;
    try {
      a = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + ": unknown host '" + host + "'");
    }
    if (!a.isLoopbackAddress()) {
      throw new IllegalArgumentException(what + ": " + host + " (" + a.getHostAddress()
          + ") is not a loopback address; keel load only targets this machine");
    }
    return a;
  }

  /** Refuses an admin URL whose host is not loopback. */
  public static URI requireLoopback(URI url, String what) {
    if (url.getHost() == null) {
      throw new IllegalArgumentException(what + ": no host in '" + url + "'");
    }
    requireLoopback(url.getHost(), what);
    return url;
  }
}
