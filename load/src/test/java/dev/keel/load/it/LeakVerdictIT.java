package dev.keel.load.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.load.testing.FakeAdmin;
import dev.keel.load.testing.LeakyServer;
import dev.keel.load.testing.LoadRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code churn} against a server that keeps every connection's buffers: the verdict must be 1, naming them. */
class LeakVerdictIT {
  @TempDir
  Path dir;

  @Test
  void churn_againstALeakingServer_exitsOneNamingHeapAndDirectMemory() throws Exception {
    try (LeakyServer leaky = new LeakyServer();
         FakeAdmin admin = FakeAdmin.start(leaky::connections, leaky::directBytes)) {
      LoadRun r = LoadRun.run(dir, "churn", "--transport", "tcp", "--tcp-port", Integer.toString(leaky.port()),
          "--admin-url", admin.url(), "-n", "40", "--lifetime", "50ms..200ms", "--duration", "3s",
          "--mix", "close=1,reset=1,silent=0,stall=0", "--settle", "5s", "--max-thread-growth", "16");
      assertThat(r.exit()).as(r.describe()).isEqualTo(1);
      JsonNode verdict = r.summary().path("verdict");
      assertThat(verdict.path("result").asText()).isEqualTo("LEAK_SUSPECTED");
      List<String> failed = new ArrayList<>();
      for (JsonNode c : verdict.path("checks")) {
        if (c.path("judged").asBoolean() && !c.path("ok").asBoolean()) {
          failed.add(c.path("name").asText());
        }
      }
      assertThat(failed).as(r.describe()).contains("heap after GC", "direct memory");
      long lifetimes = r.results().path("lifetimes").asLong();
      assertThat(leaky.retained()).as("two buffers kept per connection").isGreaterThanOrEqualTo((int) (2 * lifetimes));
      assertThat(r.out()).contains("verdict: LEAK SUSPECTED").contains("thresholds:");
    }
  }
}
