package dev.keel.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.Cidr;
import dev.keel.config.ForwardedHeader;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ForwardedForTest {
  private static final InetAddress PROXY = Cidr.literal("127.0.0.1");
  private static final Predicate<InetAddress> TRUSTED = a -> Cidr.parse("127.0.0.1").contains(a)
      || Cidr.parse("10.0.0.0/8").contains(a);

  private static InetAddress ip(String s) {
    return Cidr.literal(s);
  }

  private static InetAddress xff(String... lines) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (String l : lines) {
      h.add("X-Forwarded-For", l);
    }
    return ForwardedFor.client(h, ForwardedHeader.X_FORWARDED_FOR, PROXY, TRUSTED);
  }

  private static InetAddress forwarded(String... lines) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (String l : lines) {
      h.add("Forwarded", l);
    }
    return ForwardedFor.client(h, ForwardedHeader.FORWARDED, PROXY, TRUSTED);
  }

  @Test
  void xForwardedFor_theEntryTheTrustedProxyAppended_isTheClient() {
    assertThat(xff("203.0.113.7")).as("one entry").isEqualTo(ip("203.0.113.7"));
    assertThat(xff("1.2.3.4, 203.0.113.7")).as("what the client wrote left of it is ignored")
        .isEqualTo(ip("203.0.113.7"));
  }

  @Test
  void xForwardedFor_trustedProxiesInTheChainAreWalkedPast() {
    assertThat(xff("198.51.100.2, 203.0.113.7, 10.1.1.1")).as("an inner trusted proxy at the right")
        .isEqualTo(ip("203.0.113.7"));
    assertThat(xff("10.0.0.5, 10.0.0.6")).as("only trusted proxies: the leftmost").isEqualTo(ip("10.0.0.5"));
    assertThat(xff("198.51.100.2", "203.0.113.7")).as("two header lines read as one list")
        .isEqualTo(ip("203.0.113.7"));
  }

  @Test
  void xForwardedFor_garbageEndsTheWalk_neverLettingASpoofThrough() {
    assertThat(xff("6.6.6.6, evil.example, 10.1.1.1")).as("a name past a trusted proxy: stop at the proxy")
        .isEqualTo(ip("10.1.1.1"));
    assertThat(xff("")).as("an empty header: the proxy itself").isEqualTo(PROXY);
    assertThat(xff("not-an-address")).as("garbage only").isEqualTo(PROXY);
    assertThat(xff("203.0.113.7:5555")).as("an address with a port").isEqualTo(ip("203.0.113.7"));
    assertThat(xff("[2001:db8::7]:5555")).as("a bracketed IPv6 address with a port").isEqualTo(ip("2001:db8::7"));
    assertThat(xff("2001:db8::7")).as("a bare IPv6 address").isEqualTo(ip("2001:db8::7"));
  }

  @Test
  void noHeader_isTheProxysOwnAddress() {
    assertThat(xff()).as("no X-Forwarded-For").isEqualTo(PROXY);
    assertThat(ForwardedFor.client(new DefaultHttpHeaders().add("X-Forwarded-For", "203.0.113.7"),
        ForwardedHeader.NONE, PROXY, TRUSTED)).as("forwarded-header none reads nothing").isEqualTo(PROXY);
  }

  @Test
  void onlyTheConfiguredHeaderIsRead() {
    HttpHeaders h = new DefaultHttpHeaders().add("Forwarded", "for=6.6.6.6").add("X-Forwarded-For", "203.0.113.7");
    assertThat(ForwardedFor.client(h, ForwardedHeader.X_FORWARDED_FOR, PROXY, TRUSTED))
        .as("a Forwarded header the proxy passed through untouched is not read").isEqualTo(ip("203.0.113.7"));
    assertThat(ForwardedFor.client(h, ForwardedHeader.FORWARDED, PROXY, TRUSTED))
        .as("nor X-Forwarded-For under forwarded-header forwarded").isEqualTo(ip("6.6.6.6"));
  }

  @Test
  void forwarded_rfc7239Forms() {
    assertThat(forwarded("for=192.0.2.60;proto=http;by=203.0.113.43")).as("token form with other pairs")
        .isEqualTo(ip("192.0.2.60"));
    assertThat(forwarded("for=\"[2001:db8:cafe::17]:4711\"")).as("quoted IPv6 with a port")
        .isEqualTo(ip("2001:db8:cafe::17"));
    assertThat(forwarded("For=\"192.0.2.43:47011\"")).as("case-insensitive key, quoted IPv4 with a port")
        .isEqualTo(ip("192.0.2.43"));
    assertThat(forwarded("for=6.6.6.6, for=198.51.100.17;proto=https, for=10.0.0.1"))
        .as("elements walked from the right past the trusted one").isEqualTo(ip("198.51.100.17"));
    assertThat(forwarded("for=6.6.6.6, for=unknown")).as("unknown stops the walk at the proxy").isEqualTo(PROXY);
    assertThat(forwarded("for=6.6.6.6, for=_hidden")).as("an obfuscated node too").isEqualTo(PROXY);
    assertThat(forwarded("for=6.6.6.6, proto=https")).as("an element without for= too").isEqualTo(PROXY);
    assertThat(forwarded("for=\"6.6.6.6, for=1.1.1.1\"")).as("a comma inside quotes does not split")
        .isEqualTo(PROXY);
  }
}
