package dev.keel.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.config.OptionContract;
import dev.keel.config.Ports;
import org.junit.jupiter.api.Test;

class AdminOptionsTest {
  @Test
  void adminOptions_keepTheDeclarationContract() {
    OptionContract.check(AdminOptions.SET);
  }

  @Test
  void defaults_andRanges() {
    KeelConfig c = KeelConfig.builder(AdminOptions.SET).build();
    assertThat(c.get(AdminOptions.ADMIN_HOST)).isEqualTo("127.0.0.1");
    assertThat(c.get(AdminOptions.ADMIN_PORT)).isEqualTo(9100);
    assertThat(c.get(AdminOptions.ADMIN_TOKEN)).isNull();
    assertThat(c.get(AdminOptions.ADMIN_ALLOW_GC)).isFalse();
    assertThat(KeelConfig.builder(AdminOptions.SET).parse("admin-port", "off").build().get(AdminOptions.ADMIN_PORT))
        .isEqualTo(Ports.OFF);
    OptionContract.refuses(AdminOptions.SET, AdminOptions.ADMIN_TOKEN, "short");
    OptionContract.refuses(AdminOptions.SET, AdminOptions.ADMIN_HOST, "");
    assertThat(AdminOptions.ADMIN_TOKEN.show("0123456789abcdef")).as("the token is never shown").isEqualTo("(set)");
  }
}
