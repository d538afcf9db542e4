package dev.keel.load.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcProbeTest {
  @Test
  void heapUsed_g1HeapInfo_isTheTopLineUsedFigure() {
    String g1 = """
        8491:
        garbage-first heap   total reserved 6172672K, committed 57344K, used 8185K [0x0000000687400000, 0x0000000800000000)
         region size 4096K, 0 young (0K), 0 survivors (0K)
        """;
    assertThat(ProcProbe.heapUsed(g1)).isEqualTo(8185L * 1024);
  }

  @Test
  void heapUsed_parallelHeapInfo_sumsTheGenerations() {
    String parallel = """
        123:
         PSYoungGen      total 76288K, used 1310K [0x0000000796b00000, 0x000000079c000000, 0x00000007c0000000)
          eden space 65536K, 2% used [0x0000000796b00000,0x0000000796c47b20,0x000000079ab00000)
         ParOldGen       total 175104K, used 4000K [0x0000000744000000, 0x000000074eb00000, 0x0000000796b00000)
          object space 175104K, 2% used [0x0000000744000000,0x00000007443e8000,0x000000074eb00000)
         Metaspace       used 900K, committed 1024K, reserved 1114112K
        """;
    assertThat(ProcProbe.heapUsed(parallel)).isEqualTo((1310L + 4000) * 1024);
  }

  @Test
  void heapUsed_noFigure_isNull() {
    assertThat(ProcProbe.heapUsed("123:\nsomething else\n")).isNull();
    assertThat(ProcProbe.heapUsed(null)).isNull();
  }
}
