package dev.keel.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.load.probe.MemorySample;
import dev.keel.load.probe.Samples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTest {
  private static final long MIB = Thresholds.MIB;
  private final Thresholds t = Thresholds.defaults();

  private static MemorySample at(long ms, long heap) {
    return Samples.admin(ms, heap, 8 * MIB, 20, 40, 0);
  }

  /** One reading a second for {@code seconds}, heap rising by {@code perSecond}. */
  private static List<MemorySample> series(int seconds, long start, long perSecond) {
    List<MemorySample> s = new ArrayList<>();
    for (int i = 0; i <= seconds; i++) {
      s.add(at(i * 1000L, start + perSecond * i));
    }
    return s;
  }

  @Test
  void judge_everythingBackToBaseline_isFlatWithExitZero() {
    Verdict v = Verdict.judge(t, at(0, 50 * MIB), at(120_000, 52 * MIB), series(120, 50 * MIB, 0), 0);
    assertThat(v.result()).isEqualTo(Verdict.Result.FLAT);
    assertThat(v.exitCode()).isZero();
    assertThat(v.failures()).isEmpty();
  }

  @Test
  void judge_heapEndsOverTolerance_isLeakSuspectedNamingHeapAndSize() {
    Verdict v = Verdict.judge(t, at(0, 50 * MIB), at(10_000, 90 * MIB), series(10, 50 * MIB, 0), 0);
    assertThat(v.result()).isEqualTo(Verdict.Result.LEAK_SUSPECTED);
    assertThat(v.exitCode()).isEqualTo(1);
    assertThat(v.failures()).singleElement().asString()
        .contains("heap after GC").contains("grew 40.0 MiB").contains("limit 16.0 MiB");
  }

  @Test
  void judge_connectionsStillCounted_isLeakSuspected() {
    MemorySample end = Samples.admin(10_000, 50 * MIB, 8 * MIB, 20, 40, 3);
    Verdict v = Verdict.judge(t, at(0, 50 * MIB), end, List.of(), 0);
    assertThat(v.result()).isEqualTo(Verdict.Result.LEAK_SUSPECTED);
    assertThat(v.failures()).singleElement().asString().contains("connections still counted").contains("3");
  }

  @Test
  void judge_threadsAndFdsOverTolerance_areEachReported() {
    MemorySample end = Samples.admin(10_000, 50 * MIB, 8 * MIB, 30, 100, 0);
    Verdict v = Verdict.judge(t, at(0, 50 * MIB), end, List.of(), 0);
    assertThat(v.failures()).hasSize(2);
    assertThat(String.join(";", v.failures())).contains("threads grew 10 (limit 4)").contains("open fds grew 60 (limit 16)");
  }

  @Test
  void judge_steadyHeapGrowthOverALongRun_isLeakByItsSlopeEvenWhenTheEndFigureIsWithinTolerance() {
    // 10 MiB a minute over 2 minutes; the end reading happens to come back within tolerance.
    List<MemorySample> s = series(120, 50 * MIB, 10 * MIB / 60);
    Verdict v = Verdict.judge(t, at(0, 50 * MIB), at(121_000, 60 * MIB), s, 0);
    assertThat(v.slope().judged()).isTrue();
    assertThat(v.slope().bytesPerMinute()).isCloseTo(10.0 * MIB, within(0.01 * MIB));
    assertThat(v.result()).isEqualTo(Verdict.Result.LEAK_SUSPECTED);
    assertThat(v.failures()).singleElement().asString().contains("heap after GC slope");
  }

  @Test
  void judge_slopeOfAShortRun_isReportedButNotJudged() {
    List<MemorySample> s = series(10, 50 * MIB, MIB); // 60 MiB/min, but only 10 s
    Verdict v = Verdict.judge(t, at(0, 50 * MIB), at(11_000, 51 * MIB), s, 0);
    assertThat(v.slope().judged()).isFalse();
    assertThat(v.result()).isEqualTo(Verdict.Result.FLAT);
  }

  @Test
  void judge_churn_isJudgedPerThousandLifetimes() {
    // 12 MiB/min is over the per-minute limit, but over 60,000 lifetimes a minute it is ~205 B per 1,000: flat.
    List<MemorySample> s = series(120, 50 * MIB, 12 * MIB / 60);
    Verdict busy = Verdict.judge(t, at(0, 50 * MIB), at(121_000, 50 * MIB), s, 120_000);
    assertThat(busy.slope().bytesPer1000Lifetimes()).isCloseTo(12.0 * MIB / 60 / 1000 * 1000, within(0.05 * MIB));
    assertThat(busy.result()).isEqualTo(Verdict.Result.FLAT);
    // The same growth over 1,200 lifetimes is ~20 MiB per 1,000: a leak.
    Verdict few = Verdict.judge(t, at(0, 50 * MIB), at(121_000, 50 * MIB), s, 1_200);
    assertThat(few.result()).isEqualTo(Verdict.Result.LEAK_SUSPECTED);
  }

  @Test
  void judge_warmupIsLeftOutOfTheFit() {
    // Pools fill in the first 20 s (a big step), then the heap is flat for 100 s.
    List<MemorySample> s = new ArrayList<>();
    for (int i = 0; i <= 120; i++) {
      s.add(at(i * 1000L, i < 20 ? 50 * MIB + i * 5 * MIB : 150 * MIB));
    }
    Verdict v = Verdict.judge(t, at(0, 140 * MIB), at(121_000, 150 * MIB), s, 0);
    assertThat(v.slope().bytesPerMinute()).isCloseTo(0.0, within(1.0));
    assertThat(v.result()).isEqualTo(Verdict.Result.FLAT);
  }

  @Test
  void judge_procOnly_judgesThreadsAndFdsAndFitsRss() {
    List<MemorySample> s = new ArrayList<>();
    for (int i = 0; i <= 90; i++) {
      s.add(Samples.proc(i * 1000L, 200 * MIB, 20, 40));
    }
    Verdict v = Verdict.judge(t, Samples.proc(0, 150 * MIB, 20, 40), Samples.proc(91_000, 200 * MIB, 20, 40), s, 0);
    assertThat(v.result()).isEqualTo(Verdict.Result.FLAT);
    assertThat(v.slope().series()).isEqualTo("RSS");
    assertThat(v.checks()).filteredOn(c -> c.name().equals("heap after GC")).singleElement()
        .satisfies(c -> assertThat(c.judged()).isFalse());
  }

  @Test
  void judge_noReadings_isNoData() {
    assertThat(Verdict.judge(t, null, null, List.of(), 0).result()).isEqualTo(Verdict.Result.NO_DATA);
  }

  @Test
  void directLimit_auto_isOneChunkPerArenaAndHalfAChunk_offTheChunkBoundary() {
    MemorySample base = Samples.admin(0, 50 * MIB, 4 * MIB, 4 * MIB, 4, null);
    MemorySample firstChunks = Samples.admin(10_000, 50 * MIB, 20 * MIB, 4 * MIB, 4, null);
    Verdict flat = Verdict.judge(t, base, firstChunks, List.of(), 0);
    Verdict.Check direct = flat.checks().stream().filter(c -> c.name().equals("direct memory")).findFirst().orElseThrow();
    assertThat(direct.ok()).as("each of 4 arenas took its first 4 MiB chunk: no leak").isTrue();
    assertThat(direct.note()).isEqualTo("grew 16.0 MiB (limit 18.0 MiB: 4 arenas x one 4.0 MiB chunk, and half a chunk)");
    MemorySample oneMore = Samples.admin(10_000, 50 * MIB, 24 * MIB, 4 * MIB, 4, null);
    assertThat(Verdict.judge(t, base, oneMore, List.of(), 0).failures()).as("a fifth chunk is past it")
        .singleElement().asString().contains("direct memory grew 20.0 MiB (limit 18.0 MiB");
    MemorySample bigger = Samples.admin(10_000, 50 * MIB, 68 * MIB, 4 * MIB, 16, null);
    assertThat(Verdict.judge(t, base, bigger, List.of(), 0).result()).as("16 arenas on 8 cores: 64 MiB is their first chunks")
        .isEqualTo(Verdict.Result.FLAT);
  }

  @Test
  void directLimit_withoutTheAllocatorsShape_isEighteenMiB_andAnExplicitOneWins() {
    assertThat(t.directLimit(at(0, MIB)).bytes()).as("no chunk figures").isEqualTo(18 * MIB);
    Thresholds set = new Thresholds(16 * MIB, 32 * MIB, 4, 16, 0, 8.0 * MIB, 1.0 * MIB, 60, 0.2);
    assertThat(set.directLimit(Samples.admin(0, MIB, MIB, 4 * MIB, 4, null)))
        .isEqualTo(new Thresholds.DirectLimit(32 * MIB, "--max-direct-growth"));
  }
}
