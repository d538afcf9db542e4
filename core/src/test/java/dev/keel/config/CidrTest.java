package dev.keel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  private static InetAddress ip(String literal) {
    InetAddress a = Cidr.literal(literal);
    assertThat(a).as("'%s' is an address literal", literal).isNotNull();
    return a;
  }

  @Test
  void parse_blockContainsItsAddressesAndNoOthers() {
    Cidr c = Cidr.parse("10.0.0.0/8");
    assertThat(c.contains(ip("10.255.1.2"))).as("10.255.1.2 in 10/8").isTrue();
    assertThat(c.contains(ip("11.0.0.1"))).as("11.0.0.1 not in 10/8").isFalse();
    Cidr odd = Cidr.parse("192.168.4.0/22");
    assertThat(odd.contains(ip("192.168.7.255"))).as("last of a /22").isTrue();
    assertThat(odd.contains(ip("192.168.8.0"))).as("first past a /22").isFalse();
    assertThat(odd.contains(ip("192.168.3.255"))).as("last before a /22").isFalse();
  }

  @Test
  void parse_singleAddressIsAFullPrefix_hostBitsAreMasked() {
    assertThat(Cidr.parse("127.0.0.1")).as("one IPv4 address").isEqualTo(new Cidr(ip("127.0.0.1"), 32));
    assertThat(Cidr.parse("::1").prefix()).as("one IPv6 address").isEqualTo(128);
    assertThat(Cidr.parse("10.1.2.3/8").toString()).as("host bits dropped").isEqualTo("10.0.0.0/8");
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).as("/0 holds every IPv4 address").isTrue();
  }

  @Test
  void parse_ipv6Blocks_neverMatchIpv4() {
    Cidr c = Cidr.parse("fd00::/8");
    assertThat(c.contains(ip("fd12:3456::1"))).as("fd12:3456::1 in fd00::/8").isTrue();
    assertThat(c.contains(ip("fe80::1"))).as("fe80::1 not in fd00::/8").isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).as("an IPv6 address is in no IPv4 block").isFalse();
    assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:ffff::7"))).as("2001:db8::/32").isTrue();
  }

  @Test
  void parse_refusesNamesAndBadPrefixes_namingTheEntry() {
    assertThatThrownBy(() -> Cidr.parse("localhost")).as("a name is not an address: no DNS lookup")
        .hasMessageContaining("'localhost' is not an address or CIDR block");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).as("/33 on IPv4").hasMessageContaining("bad prefix");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/")).as("empty prefix").hasMessageContaining("bad prefix");
    assertThatThrownBy(() -> Cidr.parse("::1/129")).as("/129 on IPv6").hasMessageContaining("/0 to /128");
    assertThatThrownBy(() -> Cidr.parse("1.2.3")).as("a short dotted form is not taken").hasMessageContaining("'1.2.3'");
    assertThatThrownBy(() -> Cidr.parse("256.1.1.1")).as("an octet over 255").hasMessageContaining("'256.1.1.1'");
  }

  @Test
  void literal_isNullForAnythingButAnAddress() {
    assertThat(Cidr.literal("example.com")).as("a host name").isNull();
    assertThat(Cidr.literal("unknown")).as("Forwarded's unknown").isNull();
    assertThat(Cidr.literal("")).as("empty").isNull();
    assertThat(Cidr.literal("fe80::1%eth0")).as("a zone id").isNull();
    assertThat(Cidr.literal("::ffff:10.0.0.1")).as("an IPv4-mapped address reads as IPv4")
        .isEqualTo(ip("10.0.0.1"));
  }

  @Test
  void trustedProxiesOption_refusesABadEntryAtStart_andProxyProtocolNeedsIt() {
    assertThatThrownBy(() -> KeelConfig.builder().parse("trusted-proxies", "10.0.0.0/8, nginx.local").build())
        .as("a name in trusted-proxies")
        .hasMessageContaining("trusted-proxies has a bad entry: 'nginx.local' is not an address or CIDR block");
    assertThat(KeelConfig.builder().parse("trusted-proxies", "10.0.0.0/8, ::1").build().get(CoreOptions.TRUSTED_PROXIES))
        .as("two entries").isEqualTo(List.of("10.0.0.0/8", "::1"));
    assertThatThrownBy(() -> KeelConfig.builder().parse("proxy-protocol", "tcp").build())
        .as("proxy-protocol without trusted proxies")
        .hasMessageContaining("proxy-protocol tcp needs trusted-proxies");
    assertThat(KeelConfig.builder().parse("proxy-protocol", "both").parse("trusted-proxies", "127.0.0.1").build()
        .get(CoreOptions.PROXY_PROTOCOL)).as("with them").isEqualTo(ProxyProtocol.BOTH);
  }
}
