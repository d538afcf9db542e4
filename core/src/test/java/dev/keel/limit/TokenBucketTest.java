package dev.keel.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final MockTicker ticker = Ticker.newMockTicker();

  private static int takeAll(TokenBucket bucket) {
    int n = 0;
    while (bucket.tryTake()) {
      n++;
      if (n > 1_000_000) {
        throw new AssertionError("the bucket never ran dry");
      }
    }
    return n;
  }

  @Test
  void newBucket_burstAvailableAtOnce_thenEmpty() {
    TokenBucket bucket = new TokenBucket(10, 5, ticker);
    assertThat(bucket.available()).as("tokens in a new bucket").isEqualTo(5);
    assertThat(takeAll(bucket)).as("tokens taken at once from a new bucket of burst 5").isEqualTo(5);
    assertThat(bucket.tryTake()).as("tryTake on an empty bucket with no time passed").isFalse();
    assertThat(bucket.available()).as("tokens left").isZero();
  }

  @Test
  void emptyBucket_refillsAtTheRate() {
    TokenBucket bucket = new TokenBucket(10, 5, ticker); // one token per 100ms
    takeAll(bucket);
    ticker.advance(99, TimeUnit.MILLISECONDS);
    assertThat(bucket.tryTake()).as("tryTake 99ms after emptying at 10/s").isFalse();
    ticker.advance(1, TimeUnit.MILLISECONDS);
    assertThat(bucket.tryTake()).as("tryTake 100ms after emptying at 10/s").isTrue();
    assertThat(bucket.tryTake()).as("a second tryTake at 100ms").isFalse();
    ticker.advance(300, TimeUnit.MILLISECONDS);
    assertThat(takeAll(bucket)).as("tokens earned in 300ms at 10/s").isEqualTo(3);
  }

  @Test
  void longIdle_refillsOnlyUpToBurst() {
    TokenBucket bucket = new TokenBucket(10, 5, ticker);
    takeAll(bucket);
    ticker.advance(1, TimeUnit.HOURS);
    assertThat(bucket.available()).as("tokens after an hour idle, burst 5").isEqualTo(5);
    assertThat(takeAll(bucket)).as("tokens taken after an hour idle").isEqualTo(5);
  }

  @Test
  void fullBucket_doesNotBankTimeSpentFull() {
    // Burst 1 at 10/s: a full bucket that waits 99ms and is then used must not hand out a second
    // token 1ms later; over any window of w seconds at most burst + rate * w messages pass.
    TokenBucket bucket = new TokenBucket(10, 1, ticker);
    ticker.advance(99, TimeUnit.MILLISECONDS);
    assertThat(bucket.tryTake()).as("the one token of a full bucket").isTrue();
    ticker.advance(1, TimeUnit.MILLISECONDS);
    assertThat(bucket.tryTake()).as("tryTake 1ms after spending the only token (burst 1, 10/s)").isFalse();
    assertThat(bucket.nanosUntilNextToken()).as("wait for the next token after spending the only one")
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(99));
    ticker.advance(99, TimeUnit.MILLISECONDS);
    assertThat(bucket.tryTake()).as("tryTake 100ms after spending the only token").isTrue();
  }

  @Test
  void overAnyWindow_atMostBurstPlusRateTimesWindow() {
    TokenBucket bucket = new TokenBucket(100, 10, ticker); // one token per 10ms
    int taken = 0;
    for (int ms = 0; ms < 1000; ms++) {
      while (bucket.tryTake()) {
        taken++;
      }
      ticker.advance(1, TimeUnit.MILLISECONDS);
    }
    // 1 s of greedy taking: the burst plus 99 or 100 tokens earned (the last may land at 1000ms).
    assertThat(taken).as("tokens taken greedily over one second at 100/s, burst 10").isBetween(109, 110);
  }

  @Test
  void nanosUntilNextToken_zeroWhileTokensRemain_thenTimeToTheNextToken() {
    TokenBucket bucket = new TokenBucket(4, 2, ticker); // one token per 250ms
    assertThat(bucket.nanosUntilNextToken()).as("wait with tokens left").isZero();
    takeAll(bucket);
    assertThat(bucket.nanosUntilNextToken()).as("wait right after emptying at 4/s")
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    ticker.advance(100, TimeUnit.MILLISECONDS);
    assertThat(bucket.nanosUntilNextToken()).as("wait 100ms after emptying at 4/s")
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    ticker.advance(150, TimeUnit.MILLISECONDS);
    assertThat(bucket.nanosUntilNextToken()).as("wait once the next token is earned").isZero();
  }

  @Test
  void fractionalProgress_isKeptAcrossRefills() {
    TokenBucket bucket = new TokenBucket(10, 5, ticker); // one token per 100ms
    takeAll(bucket);
    ticker.advance(150, TimeUnit.MILLISECONDS);
    assertThat(takeAll(bucket)).as("tokens after 150ms at 10/s").isEqualTo(1);
    assertThat(bucket.nanosUntilNextToken()).as("wait after 150ms: the 50ms already earned count")
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    ticker.advance(50, TimeUnit.MILLISECONDS);
    assertThat(takeAll(bucket)).as("tokens after 200ms in all at 10/s").isEqualTo(1);
    for (int i = 0; i < 7; i++) {
      ticker.advance(30, TimeUnit.MILLISECONDS);
      bucket.available(); // many small refills must not lose their remainders
    }
    assertThat(takeAll(bucket)).as("tokens after seven 30ms steps (210ms) at 10/s").isEqualTo(2);
  }

  @Test
  void highRate_atLeastOneNanoPerToken() {
    TokenBucket bucket = new TokenBucket(Integer.MAX_VALUE, 3, ticker);
    takeAll(bucket);
    ticker.advance(2, TimeUnit.NANOSECONDS);
    assertThat(takeAll(bucket)).as("tokens after 2ns at a rate over 1e9/s").isEqualTo(2);
  }

  @Test
  void constructor_rejectsNonPositiveRateOrBurst() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, ticker)).as("rate 0")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratePerSecond");
    assertThatThrownBy(() -> new TokenBucket(1, 0, ticker)).as("burst 0")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst");
  }
}
