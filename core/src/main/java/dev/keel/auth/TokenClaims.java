package dev.keel.auth;

import java.util.Base64;
import java.util.Map;

/**
 * The parts of a connect token that are checked as written, before (or instead of) the JWT
 * library's reading of them: each of the three parts must be canonical base64url (RFC 7515 §2: no
 * padding, no characters outside the url alphabet, no set bits past the last byte), so that one
 * token has one spelling; and the time claims ({@code exp}, {@code nbf}, {@code iat}) are read as the
 * numbers they are, where the library turns {@code exp = 2^63} into a date long past.
 */
final class TokenClaims {
  /** 9999-12-31T23:59:59Z: later times count as this one (an expiry timer is set for it, harmlessly). */
  static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private TokenClaims() {}

  /** Whether every part of the compact serialization is canonical base64url. */
  static boolean canonical(String token) {
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      return false;
    }
    return canonicalPart(token.substring(0, first)) && canonicalPart(token.substring(first + 1, second))
        && canonicalPart(token.substring(second + 1));
  }

  private static boolean canonicalPart(String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!url) {
        return false;
      }
    }
    if (part.length() % 4 == 1) {
      return false;
    }
    byte[] decoded = Base64.getUrlDecoder().decode(part);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded).equals(part); // no stray trailing bits
  }

  /**
   * A NumericDate claim (seconds since the epoch), or null when absent; times past
   * {@link #MAX_EPOCH_SECOND} count as it.
   *
   * @throws InvalidTokenException when it is not a non-negative finite number
   */
  static Long seconds(Map<String, Object> payload, String name) throws InvalidTokenException {
    Object v = payload.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      throw new InvalidTokenException("bad claims: " + name + " is not a number");
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || d < 0) {
      throw new InvalidTokenException("bad claims: " + name + " is not a time");
    }
    if (d >= MAX_EPOCH_SECOND) {
      return MAX_EPOCH_SECOND;
    }
    return n instanceof Long || n instanceof Integer ? n.longValue() : (long) Math.floor(d);
  }
}
