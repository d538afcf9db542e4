package dev.keel.cli;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.config.KeelConfig;
import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import dev.keel.config.Ports;
import dev.keel.serve.PubSubServer;
import dev.keel.config.SlowConsumerPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class MainTest {
  @TempDir Path dir;

  private static KeelConfig configOf(String... args) {
    ParseResult parsed = Main.commandLine().parseArgs(args);
    assertThat(parsed.hasSubcommand()).as("`keel %s` has the serve subcommand", String.join(" ", args))
        .isTrue();
    return Main.configFrom(parsed.subcommand());
  }

  @Test
  void serveUsage_listsEveryOptionWithItsDefault_groupedByConcern() {
    CommandLine serve = Main.commandLine().getSubcommands().get("serve");
    String usage = serve.getUsageMessage(CommandLine.Help.Ansi.OFF);
    KeelConfig defaults = PubSubServer.config().build();
    for (OptionSet set : PubSubServer.OPTION_SETS) {
      for (OptionSet.Group g : set.groups()) {
        assertThat(usage).as("`keel serve --help` has the heading %s", g.title()).contains(g.title() + ":");
      }
      for (Option<?> o : set.options()) {
        assertThat(usage).as("`keel serve --help` lists --%s", o.key()).containsPattern("--" + o.key() + "\\[?=");
      }
    }
    assertThat(usage).as("`keel serve --help` lists --config").contains("--config=FILE");
    assertThat(usage.replaceAll("\\s+", " "))
        .as("`keel serve --help` shows the idle-timeout default")
        .contains("Default: " + CoreOptions.IDLE_TIMEOUT.show(defaults.get(CoreOptions.IDLE_TIMEOUT)) + ".");
    assertThat(usage.replaceAll("\\s+", " ")).as("--help explains the formats").contains("Durations take a unit");
  }

  @Test
  void configFrom_flags_setOptions() {
    KeelConfig c = configOf("serve", "--ws-port", "0", "--tcp-port=off", "--max-message-size", "1MiB",
        "--outbound-queue-bytes", "4MiB", "--slow-consumer-policy", "drop-newest");
    assertThat(c.get(CoreOptions.WS_PORT)).as("--ws-port").isZero();
    assertThat(c.get(CoreOptions.TCP_PORT)).as("--tcp-port").isEqualTo(Ports.OFF);
    assertThat(c.get(CoreOptions.MAX_MESSAGE_SIZE)).as("--max-message-size").isEqualTo(1024 * 1024);
    assertThat(c.get(CoreOptions.OUTBOUND_QUEUE_BYTES)).as("--outbound-queue-bytes").isEqualTo(4 * 1024 * 1024);
    assertThat(c.get(CoreOptions.SLOW_CONSUMER_POLICY)).as("--slow-consumer-policy").isEqualTo(SlowConsumerPolicy.DROP_NEWEST);
  }

  @Test
  void configFrom_flagsOverrideTheConfigFile() throws IOException {
    Path file = Files.writeString(dir.resolve("keel.yml"), """
        ws-port: 1111
        idle-timeout: 90s
        rate-limit: 5
        """);
    KeelConfig c = configOf("serve", "--config", file.toString(), "--ws-port", "2222", "--rate-limit", "7");
    assertThat(c.get(CoreOptions.WS_PORT)).as("--ws-port given on the command line wins over the file").isEqualTo(2222);
    assertThat(c.get(CoreOptions.RATE_LIMIT)).as("--rate-limit given on the command line wins over the file").isEqualTo(7);
    assertThat(c.get(CoreOptions.IDLE_TIMEOUT)).as("idle-timeout only in the file is taken from it")
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void configFrom_badFlag_failsNamingTheOption() {
    assertThatThrownBy(() -> configOf("serve", "--idle-timeout", "soon"))
        .as("--idle-timeout soon")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("idle-timeout: ");
  }

  @Test
  void run_invalidConfig_exitsWith2AndNamesTheOption() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"serve", "--rate-burst", "0"}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertThat(code).as("exit code of `keel serve --rate-burst 0`").isEqualTo(2);
    assertThat(err.toString()).as("stderr of `keel serve --rate-burst 0`").contains("rate-burst");
  }

  @Test
  void run_compilerNiceOutOfRange_exitsWith2AndSaysWhatIsValid() {
    for (String bad : new String[] {"20", "-1"}) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.run(new String[] {"serve", "--compiler-nice", bad}, new PrintWriter(out, true),
          new PrintWriter(err, true));
      assertThat(code).as("exit code of `keel serve --compiler-nice %s`", bad).isEqualTo(2);
      assertThat(err.toString()).as("stderr of `keel serve --compiler-nice %s`", bad).contains("compiler-nice")
          .doesNotContain("Exception");
    }
  }

  @Test
  void run_unknownFlag_exitsWith2_suggestingTheNearestOption_withoutTheWholeHelp() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"serve", "--idle-timeuot", "1s"}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertThat(code).as("exit code of `keel serve --idle-timeuot 1s`").isEqualTo(2);
    assertThat(err.toString()).as("stderr of `keel serve --idle-timeuot 1s`").contains("--idle-timeuot")
        .contains("did you mean --idle-timeout?");
    assertThat(err.toString().lines().count()).as("the error and a one-line hint, not the whole help").isLessThanOrEqualTo(3);
  }

  @Test
  void run_version_everywhere() {
    for (String[] args : new String[][] {{"-V"}, {"serve", "-V"}, {"serve", "--version"}}) {
      StringWriter out = new StringWriter();
      int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
      assertThat(code).as("exit code of keel %s", String.join(" ", args)).isZero();
      assertThat(out.toString()).as("keel %s", String.join(" ", args)).startsWith("keel ");
    }
  }

  @Test
  void run_help_printsPercentagesWithoutPicocliWarnings() {
    StringWriter out = new StringWriter();
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      Main.run(new String[] {"serve", "--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    } finally {
      System.setErr(stderr);
    }
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).as("what picocli printed on stderr")
        .doesNotContain("picocli WARN");
    assertThat(out.toString().replaceAll("\\s+", " ")).as("--memory-high-mark's default, its %% intact")
        .contains("Default: 80%.");
  }

  @Test
  void run_help_exitsWith0() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"serve", "--help"}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("exit code of `keel serve --help`").isZero();
    assertThat(out.toString()).as("stdout of `keel serve --help`").contains("--heartbeat-interval");
  }

  private static String[] run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("exit code of keel %s (stderr: %s)", String.join(" ", args), err).isEqualTo(expectedExit);
    return new String[] {out.toString(), err.toString()};
  }

  @Test
  void config_printsTheEffectiveConfigurationAsYaml_thatReadsBackAsTheSameConfiguration() throws IOException {
    Path file = Files.writeString(dir.resolve("keel.yml"), "idle-timeout: 90s\nallowed-origins: [https://a.example]\n");
    String yaml = run(0, "config", "--config", file.toString(), "--tcp-port", "off", "--ws-path", "/live",
        "--trusted-proxies", "10.0.0.0/8,127.0.0.1", "--auth-hmac-secret", "a-secret-that-is-long-enough-12345")[0];
    assertThat(yaml).as("headings, and every option").contains("# Listeners", "# Proxies", "# Admin listener")
        .contains("idle-timeout: 90s  # default: 1m").contains("tcp-port: off  # default: 9090")
        .contains("trusted-proxies: [10.0.0.0/8, 127.0.0.1]  # default: []").contains("proxy-protocol: off\n").contains("heartbeat-interval: 20s\n");
    assertThat(yaml).as("a secret is never printed").doesNotContain("a-secret-that-is-long-enough")
        .contains("# auth-hmac-secret: (set, not shown)");
    Path back = Files.writeString(dir.resolve("back.yml"), yaml);
    KeelConfig read = configOf("serve", "--config", back.toString());
    KeelConfig meant = configOf("serve", "--config", file.toString(), "--tcp-port", "off", "--ws-path", "/live",
        "--trusted-proxies", "10.0.0.0/8,127.0.0.1");
    for (OptionSet set : PubSubServer.OPTION_SETS) {
      for (Option<?> o : set.options()) {
        assertThat((Object) read.get(o)).as("--%s read back from keel config's output", o.key()).isEqualTo(meant.get(o));
      }
    }
  }

  @Test
  void config_quotesTextYamlWouldReadAsSomethingElse() {
    assertThat(ConfigCommand.quoted("yes", false)).as("a word YAML reads as true").isEqualTo("\"yes\"");
    assertThat(ConfigCommand.quoted("off", false)).as("off reads back as off").isEqualTo("off");
    assertThat(ConfigCommand.quoted("no", false)).as("no would read back as off").isEqualTo("\"no\"");
    assertThat(ConfigCommand.quoted("true", true)).as("true for a boolean option is meant").isEqualTo("true");
    assertThat(ConfigCommand.quoted("a #comment", false)).as("a comment sign").isEqualTo("\"a #comment\"");
    assertThat(ConfigCommand.quoted("redis://h:6379/0", false)).as("a URI stays plain").isEqualTo("redis://h:6379/0");
  }

  @Test
  void config_badValue_exitsWith2NamingIt() {
    String err = run(2, "config", "--idle-timeout", "10")[1];
    assertThat(err).as("a bare number").contains("idle-timeout").contains("10s");
  }

  @Test
  void token_mintsAnHs256TokenWithTheGrantedPatternsAndLifetime() throws Exception {
    String secret = "a-secret-that-is-long-enough-12345";
    String[] res = run(0, "token", "--auth-hmac-secret", secret, "--sub", "alice", "--subscribe", "news.*, user.alice.>",
        "--publish", "", "--ttl", "30m");
    String token = res[0].trim();
    com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(token);
    assertThat(jwt.verify(new com.nimbusds.jose.crypto.MACVerifier(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .as("signed with the secret").isTrue();
    assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
    var claims = jwt.getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getJSONObjectClaim("keel")).as("permissions")
        .containsEntry("sub", java.util.List.of("news.*", "user.alice.>")).containsEntry("pub", java.util.List.of());
    long lifetime = claims.getExpirationTime().getTime() - claims.getIssueTime().getTime();
    assertThat(lifetime).as("ttl 30m").isEqualTo(Duration.ofMinutes(30).toMillis());
    assertThat(res[1]).as("what it allows, on stderr").contains("for alice").contains("news.*");
  }

  @Test
  void token_withoutASecretOrWithABadTtl_exitsWith2SayingWhy() {
    assertThat(run(2, "token", "--auth-hmac-secret", "short")[1]).as("a short secret").contains("at least 32 bytes");
    assertThat(run(2, "token", "--auth-hmac-secret", "a-secret-that-is-long-enough-12345", "--ttl", "60")[1])
        .as("a ttl without a unit").contains("60s");
    assertThat(run(2, "token", "--auth-hmac-secret", "a-secret-that-is-long-enough-12345", "--ttl", "30d")[1])
        .as("a ttl over 7d").contains("at most 7d");
    if (System.getenv("KEEL_AUTH_HMAC_SECRET") == null) {
      assertThat(run(2, "token")[1]).as("no secret anywhere").contains("no secret");
    }
  }

  @Test
  void banner_saysWhereToConnectPublishAndWatch_whoMayConnect_andHowToStop() {
    KeelConfig c = configOf("serve", "--host", "127.0.0.1");
    String b = Banner.text(c, 8080, 9090, 9100);
    assertThat(b).contains("ws://127.0.0.1:8080/ws").contains("POST http://127.0.0.1:8080/api/publish")
        .contains("http://127.0.0.1:9100/").contains("127.0.0.1:9090").contains("auth       none")
        .contains("Ctrl-C (or SIGTERM) drains and stops");
    KeelConfig secured = configOf("serve", "--host", "0.0.0.0", "--auth-hmac-secret", "a-secret-that-is-long-enough-12345",
        "--tls-cert", "pom.xml", "--tls-key", "pom.xml", "--api-key", "a-key-of-16-chars!");
    String s = Banner.text(secured, 443, -1, -1);
    assertThat(s).as("TLS, tokens, api key, a wildcard bind").contains("wss://127.0.0.1:443/ws")
        .contains("https://127.0.0.1:443/api/publish").contains("Bearer <api-key>").contains("JWT HS256")
        .doesNotContain("framed TCP").doesNotContain("dashboard");
  }

  @Test
  void run_version_onEveryCommand() {
    for (String cmd : new String[] {"config", "token"}) {
      assertThat(run(0, cmd, "-V")[0]).as("keel %s -V", cmd).startsWith("keel ");
    }
  }
}
