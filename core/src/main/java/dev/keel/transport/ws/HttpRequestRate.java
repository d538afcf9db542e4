package dev.keel.transport.ws;

import dev.keel.limit.AddressLimiter;
import dev.keel.session.ClientAddress;
import dev.keel.limit.TokenBucket;
import dev.keel.session.SessionSettings;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetAddress;

/**
 * The rate of one HTTP connection's requests to routes: a token bucket of its own ({@code rate-limit},
 * {@code rate-burst}, made at its first such request) and its address's share
 * ({@code http-rate-limit-per-ip}, counted by {@link AddressLimiter} for the address
 * {@link ClientAddress} names). Loop-confined.
 */
final class HttpRequestRate {
  private static final long SECOND = 1_000_000_000L;

  private final SessionSettings settings;
  private final AddressLimiter addresses;
  private TokenBucket bucket;

  HttpRequestRate(SessionSettings settings, AddressLimiter addresses) {
    this.settings = settings;
    this.addresses = addresses;
  }

  /** 0 when the request may go on; else the seconds a client should wait (for {@code Retry-After}). */
  long tryRequest(ChannelHandlerContext ctx) {
    if (bucket == null) {
      bucket = new TokenBucket(settings.rateLimit(), settings.rateBurst(), ctx.executor().ticker());
    }
    if (!bucket.tryTake()) {
      return Math.max(1, (bucket.nanosUntilNextToken() + SECOND - 1) / SECOND);
    }
    InetAddress address = ClientAddress.inet(ctx.channel());
    if (address != null && addresses != null && !addresses.tryRequest(address)) {
      return 1; // the address's bucket holds one second's worth
    }
    return 0;
  }
}
