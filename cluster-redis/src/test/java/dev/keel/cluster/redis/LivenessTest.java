package dev.keel.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cluster.redis.Liveness.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The health check's rule, one check at a time: data arriving proves a connection alive. */
class LivenessTest {
  private final AtomicLong reads = new AtomicLong(7);
  private volatile boolean reading;
  private final Liveness live = new Liveness(new Arrivals.Reads() {
    @Override
    public long count() {
      return reads.get();
    }

    @Override
    public boolean inProgress() {
      return reading;
    }
  });

  @Test
  void check_noPingYet_sendsOne() {
    assertThat(live.check()).isEqualTo(Verdict.PING);
  }

  @Test
  void check_pingAnswered_sendsTheNext() {
    sendPing().complete("PONG");
    reads.incrementAndGet();
    assertThat(live.check()).isEqualTo(Verdict.PING);
  }

  @Test
  void check_pingAnsweredAndNothingElse_isNotSilent() {
    sendPing().complete("PONG"); // the PONG's read is counted, but an answered PING needs no data
    assertThat(live.check()).isEqualTo(Verdict.PING);
  }

  @Test
  void check_pingUnansweredAndNothingArrived_isSilent() {
    sendPing();
    assertThat(live.check()).isEqualTo(Verdict.SILENT);
  }

  @Test
  void check_pingUnansweredButDataArriving_isBusyAndSendsNoSecondPing() {
    CompletableFuture<String> ping = sendPing();
    for (int i = 0; i < 5; i++) {
      reads.addAndGet(100);
      assertThat(live.check()).as("check %d: the PONG waits behind the data", i).isEqualTo(Verdict.BUSY);
    }
    ping.complete("PONG");
    assertThat(live.check()).as("answered at last: the next PING").isEqualTo(Verdict.PING);
  }

  /** Regression: a connection that delivered once and then went silent must not be alive for ever. */
  @Test
  void check_dataStopsWhileThePingIsUnanswered_isSilentAtTheNextCheck() {
    sendPing();
    reads.incrementAndGet();
    assertThat(live.check()).isEqualTo(Verdict.BUSY);
    assertThat(live.check()).as("a whole interval with nothing since the last check").isEqualTo(Verdict.SILENT);
  }

  /** Regression: one read's decoding outlasted the interval under a storm on a loaded machine. */
  @Test
  void check_oneLongReadInProgressWhileThePingIsUnanswered_isBusy() {
    sendPing();
    reading = true; // started before the PING's check, still decoding
    assertThat(live.check()).isEqualTo(Verdict.BUSY);
    assertThat(live.check()).as("still the same read").isEqualTo(Verdict.BUSY);
    reading = false;
    assertThat(live.check()).as("done, and nothing since").isEqualTo(Verdict.SILENT);
  }

  @Test
  void check_dataBeforeThePingWasSent_doesNotCountForIt() {
    reads.addAndGet(50); // arrived before the PING went out
    sendPing();
    assertThat(live.check()).isEqualTo(Verdict.SILENT);
  }

  @Test
  void check_pingTimedOutByLettuce_sendsAnother() {
    sendPing().completeExceptionally(new io.lettuce.core.RedisCommandTimeoutException("timed out"));
    reads.incrementAndGet();
    assertThat(live.check()).as("the link ignores the timeout; the check sends a fresh PING").isEqualTo(Verdict.PING);
  }

  private CompletableFuture<String> sendPing() {
    assertThat(live.check()).isEqualTo(Verdict.PING);
    CompletableFuture<String> f = new CompletableFuture<>();
    live.sent(f);
    return f;
  }
}
