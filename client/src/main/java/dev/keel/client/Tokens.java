package dev.keel.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads a connect token's expiry ({@code exp}, Unix seconds) to refresh it in time; no signature check. */
final class Tokens {
  private Tokens() {}

  /**
   * When to ask for a fresh token: {@code ahead} before its {@code exp}, or halfway there for a token
   * shorter-lived than that; 0 when already due, -1 for a token without {@code exp}.
   */
  static long refreshDelayMillis(String token, java.time.Duration ahead, long nowMillis) {
    long exp = expiry(token);
    if (exp < 0) {
      return -1;
    }
    long left = exp * 1000 - nowMillis;
    return Math.max(0, Math.max(left / 2, left - ahead.toMillis()));
  }

  /** The token's {@code exp}, or -1 when it is not a JWT with one. */
  static long expiry(String token) {
    if (token == null) {
      return -1;
    }
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return -1;
    }
    try {
      String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
      return Json.longOr(Json.object(claims).get("exp"), -1);
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
