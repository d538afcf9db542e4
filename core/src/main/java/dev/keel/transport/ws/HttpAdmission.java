package dev.keel.transport.ws;

import dev.keel.config.ForwardedHeader;
import dev.keel.session.Admission;
import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.spi.HttpExchange;
import dev.keel.spi.HttpRoute;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Per-address admission as the HTTP side sees it. A connection from a trusted proxy learns its client
 * from its first request's forwarding header, and is admitted by that address then. A refused
 * connection's request is answered 503, unless only its connect rate refused it and its route exempts
 * the request's credential from that rate ({@link HttpRoute#exemptFromConnectRate}: an HTTP publish
 * with a valid API key); {@code max-connections-per-ip} still holds for it.
 */
final class HttpAdmission {
  private HttpAdmission() {}

  /** Before a request is handled: learns the client of a connection from a trusted proxy (once). */
  static void learnClient(Channel ch, HttpHeaders headers, ForwardedHeader which) {
    if (!ClientAddress.pending(ch)) {
      return; // a direct connection, or its client was learnt already (a PROXY header, an earlier request)
    }
    InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
    InetAddress client = ForwardedFor.client(headers, which, peer.getAddress(), a -> ClientAddress.trusted(ch, a));
    ClientAddress.learn(ch, client.equals(peer.getAddress()) ? peer : new InetSocketAddress(client, 0));
  }

  /** Why this request must be refused (503), or null when it may be served. */
  static Admission.Refusal refusal(Channel ch, HttpExtras routes, String uri, Supplier<HttpExchange> request) {
    Admission.Refusal refused = Admission.refusal(ch);
    if (refused != null && refused.reason() == CloseCause.CONNECT_RATE) {
      HttpRoute route = routes.route(new QueryStringDecoder(uri).path());
      if (route != null && route.connectRateExempt().test(request.get())) {
        return null;
      }
    }
    return refused;
  }
}
