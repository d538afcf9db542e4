package dev.keel.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunCheckTest {
  @Test
  void shortfall_aRunThatDidWhatItMeant_isNone() {
    assertThat(RunCheck.shortfall(new RunCheck.Outcome(500, 500, 42_903, 10, true, 1_200), Map.of()))
        .as("target reached, few failures, messages delivered").isNull();
    assertThat(RunCheck.shortfall(new RunCheck.Outcome(0, 0, 10, 9, false, 0), null))
        .as("a scenario with no aim (abuse: probes refused on purpose)").isNull();
  }

  @Test
  void shortfall_mostlyRefusedChurn_namesTheServersReasonsAndTheOptions() {
    String why = RunCheck.shortfall(new RunCheck.Outcome(500, 77, 42_903, 42_253, true, 0),
        Map.of("connect_rate", 42_253L, "client", 600L));
    assertThat(why).as("the issue's run: 42,253 of 42,903 connects refused, nothing delivered")
        .contains("at most 77 of 500 were established at once")
        .contains("42,253 of 42,903 attempts failed")
        .contains("nothing was delivered")
        .contains("connect_rate 42,253").doesNotContain("client 600")
        .contains("--connect-rate-per-ip").contains("--source-addresses");
  }

  @Test
  void shortfall_serverFull_namesMaxConnections_notSourceAddresses() {
    String why = RunCheck.shortfall(new RunCheck.Outcome(30, 10, 30, 20, false, 0), Map.of("server_full", 20L));
    assertThat(why).contains("at most 10 of 30").contains("20 of 30 attempts failed").contains("server_full 20")
        .contains("--max-connections").doesNotContain("--source-addresses");
  }

  @Test
  void shortfall_withoutServerFigures_saysTheReasonsAreUnknown() {
    assertThat(RunCheck.shortfall(new RunCheck.Outcome(100, 40, 100, 60, false, 0), null))
        .contains("reasons are unknown").contains("GET /debug/memory");
  }

  @Test
  void shortfall_nothingDelivered_failsEvenWithEveryConnectionUp() {
    assertThat(RunCheck.shortfall(new RunCheck.Outcome(100, 101, 101, 0, true, 0), Map.of()))
        .startsWith("nothing was delivered").contains("refused none of them");
  }

  @Test
  void delta_countsOnlyWhatHappenedDuringTheRun() {
    assertThat(RunCheck.delta(Map.of("connect_rate", 5L, "client", 3L), Map.of("connect_rate", 12L, "client", 3L,
        "ip_limit", 2L))).as("end minus baseline, reasons new at the end from 0")
        .containsExactlyInAnyOrderEntriesOf(Map.of("connect_rate", 7L, "ip_limit", 2L));
    assertThat(RunCheck.delta(null, Map.of())).as("no baseline figures").isNull();
  }
}
