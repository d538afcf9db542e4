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
  void run_help_exitsWith0() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"serve", "--help"}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("exit code of `keel serve --help`").isZero();
    assertThat(out.toString()).as("stdout of `keel serve --help`").contains("--heartbeat-interval");
  }
}
