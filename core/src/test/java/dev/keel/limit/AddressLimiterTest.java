package dev.keel.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AddressLimiterTest {
  private final MockTicker ticker = Ticker.newMockTicker();

  private static InetAddress ip(int n) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
  }

  @Test
  void maxPerAddress_refusesTheExtraConnection_untilOneCloses() throws Exception {
    AddressLimiter limiter = new AddressLimiter(3, 1000, 1000, ticker);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(ip(1))).as("connection %d", i).isEqualTo(AddressLimiter.Verdict.ADMITTED);
    }
    assertThat(limiter.tryAcquire(ip(1))).as("fourth").isEqualTo(AddressLimiter.Verdict.TOO_MANY_CONNECTIONS);
    assertThat(limiter.tryAcquire(ip(2))).as("another address is not affected").isEqualTo(AddressLimiter.Verdict.ADMITTED);
    limiter.release(ip(1));
    assertThat(limiter.tryAcquire(ip(1))).as("after a close").isEqualTo(AddressLimiter.Verdict.ADMITTED);
  }

  @Test
  void connectRate_allowsTheBurstThenTheRate() throws Exception {
    AddressLimiter limiter = new AddressLimiter(1000, 10, 5, ticker);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire(ip(1))).as("burst %d", i).isEqualTo(AddressLimiter.Verdict.ADMITTED);
    }
    assertThat(limiter.tryAcquire(ip(1))).as("over the burst").isEqualTo(AddressLimiter.Verdict.TOO_FAST);
    ticker.advance(100, TimeUnit.MILLISECONDS);
    assertThat(limiter.tryAcquire(ip(1))).as("one token after 100 ms at 10/s").isEqualTo(AddressLimiter.Verdict.ADMITTED);
    assertThat(limiter.tryAcquire(ip(1))).as("and no more").isEqualTo(AddressLimiter.Verdict.TOO_FAST);
  }

  @Test
  void table_staysBounded_underAFloodOfAddresses() throws Exception {
    AddressLimiter limiter = new AddressLimiter(10, 20, 1, ticker);
    int maxSeen = 0;
    for (int n = 0; n < 200_000; n++) {
      InetAddress a = ip(n);
      assertThat(limiter.tryAcquire(a)).isEqualTo(AddressLimiter.Verdict.ADMITTED);
      limiter.release(a); // connected and gone
      ticker.advance(1, TimeUnit.MILLISECONDS);
      maxSeen = Math.max(maxSeen, limiter.trackedAddresses());
    }
    // An entry is kept until its bucket refills (50 ms at 20/s, burst 1): ~50 live entries at a time;
    // sweeps run when the table doubles from at least 1,024.
    assertThat(maxSeen).as("addresses tracked at most, over 200,000 distinct ones").isLessThanOrEqualTo(2048);
  }

  @Test
  void openConnections_keepTheirEntry_throughSweeps() throws Exception {
    AddressLimiter limiter = new AddressLimiter(1, 1000, 1000, ticker);
    assertThat(limiter.tryAcquire(ip(7))).isEqualTo(AddressLimiter.Verdict.ADMITTED);
    ticker.advance(1, TimeUnit.HOURS);
    limiter.sweep(ticker.nanoTime());
    assertThat(limiter.open(ip(7))).as("an open connection survives a sweep").isEqualTo(1);
    assertThat(limiter.tryAcquire(ip(7))).as("and still counts").isEqualTo(AddressLimiter.Verdict.TOO_MANY_CONNECTIONS);
  }

  @Test
  void acquireSlot_countsTheConnectionWithoutAToken_butStillHoldsTheCap() throws Exception {
    AddressLimiter limiter = new AddressLimiter(3, 10, 1, ticker);
    assertThat(limiter.tryAcquire(ip(9))).as("the burst of 1").isEqualTo(AddressLimiter.Verdict.ADMITTED);
    assertThat(limiter.tryAcquire(ip(9))).as("over the rate").isEqualTo(AddressLimiter.Verdict.TOO_FAST);
    assertThat(limiter.acquireSlot(ip(9))).as("a slot without a token").isEqualTo(AddressLimiter.Verdict.ADMITTED);
    assertThat(limiter.acquireSlot(ip(9))).as("another").isEqualTo(AddressLimiter.Verdict.ADMITTED);
    assertThat(limiter.open(ip(9))).as("both count as open").isEqualTo(3);
    assertThat(limiter.acquireSlot(ip(9))).as("the cap holds for slots too")
        .isEqualTo(AddressLimiter.Verdict.TOO_MANY_CONNECTIONS);
    limiter.release(ip(9));
    ticker.advance(100, TimeUnit.MILLISECONDS);
    assertThat(limiter.tryAcquire(ip(9))).as("slots took no token: the refill is there")
        .isEqualTo(AddressLimiter.Verdict.ADMITTED);
  }

  @Test
  void requestRate_isOneSecondsWorthPerAddress_overAllItsConnections_andRefills() throws Exception {
    AddressLimiter limiter = new AddressLimiter(1000, 1000, 1000, 50, ticker);
    limiter.tryAcquire(ip(1));
    limiter.tryAcquire(ip(1)); // two connections of one address share its request bucket
    int allowed = 0;
    while (limiter.tryRequest(ip(1))) {
      allowed++;
    }
    assertThat(allowed).as("requests at once from one address at 50/s").isEqualTo(50);
    assertThat(limiter.tryRequest(ip(2))).as("another address has its own").isTrue();
    ticker.advance(100, TimeUnit.MILLISECONDS);
    int after = 0;
    while (limiter.tryRequest(ip(1))) {
      after++;
    }
    assertThat(after).as("100 ms later at 50/s").isEqualTo(5);
  }

  @Test
  void sweep_keepsAnAddressWhoseRequestBucketIsRefilling() throws Exception {
    AddressLimiter limiter = new AddressLimiter(1000, 1000, 1000, 10, ticker);
    limiter.tryAcquire(ip(1));
    limiter.release(ip(1));
    limiter.tryRequest(ip(1));
    limiter.sweep(ticker.nanoTime());
    assertThat(limiter.trackedAddresses()).as("an address with a request bucket not yet full").isEqualTo(1);
    ticker.advance(1, TimeUnit.SECONDS);
    limiter.sweep(ticker.nanoTime());
    assertThat(limiter.trackedAddresses()).as("once every bucket is full and nothing is open").isZero();
  }
}
