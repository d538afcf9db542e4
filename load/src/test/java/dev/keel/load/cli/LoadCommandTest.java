package dev.keel.load.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoadCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return LoadCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_nonLoopbackHost_isRefusedWithExitTwoBeforeAnySocketOpens() {
    assertThat(run("idle", "--host", "8.8.8.8", "--duration", "1s")).isEqualTo(2);
    assertThat(err()).contains("8.8.8.8").contains("not a loopback address");
  }

  @Test
  void run_nonLoopbackAdminUrl_isRefused() {
    assertThat(run("idle", "--admin-url", "http://10.1.2.3:9100", "--duration", "1s")).isEqualTo(2);
    assertThat(err()).contains("--admin-url").contains("not a loopback address");
  }

  @Test
  void run_moreConnectionsThanFileDescriptors_isRefusedNamingTheLimit() {
    assertThat(run("idle", "-n", "30000", "--max-fds", "20000", "--duration", "1s")).isEqualTo(2);
    assertThat(err()).contains("needs 30000 connections").contains("19744");
  }

  @Test
  void run_badMix_isRefusedNamingTheEnding() {
    assertThat(run("churn", "--mix", "close=1,vanish=2", "--duration", "1s")).isEqualTo(2);
    assertThat(err()).contains("unknown ending 'vanish'");
  }

  @Test
  void run_noScenario_isExitTwoWithTheList() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("idle, broadcast, churn, abuse or ramp");
  }

  @Test
  void run_badDuration_isExitTwoNamingTheValue() {
    assertThat(run("idle", "--duration", "soon")).isEqualTo(2);
    assertThat(err()).contains("'soon' is not a duration");
  }

  @Test
  void weights_parsesEveryEnding() {
    assertThat(Commands.Churn.weights("close=4,reset=3,silent=2,stall=1")).containsExactly(4, 3, 2, 1);
  }

  @Test
  void run_version_onTheCommandAndEveryScenario() {
    for (String[] args : new String[][] {{"-V"}, {"churn", "-V"}, {"idle", "--version"}, {"ramp", "-V"}}) {
      out.reset();
      assertThat(run(args)).as("keel load %s", String.join(" ", args)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).as("keel load %s", String.join(" ", args)).startsWith("keel-load 0.1.0");
    }
  }
}
