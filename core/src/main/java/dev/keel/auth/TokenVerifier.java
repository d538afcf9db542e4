package dev.keel.auth;

import dev.keel.config.CoreOptions;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.config.KeelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Verifies connect tokens (JWT) with nimbus-jose-jwt: HS256 with {@code auth-hmac-secret}, or RS256 /
 * ES256 with the PEM public key of {@code auth-public-key}. Only the one algorithm the key is for is
 * accepted (no "alg" confusion, no "none"), and only in canonical base64url. {@code exp} is required
 * (a far-future one is valid: times past 9999 count as 9999); {@code nbf} and {@code iat}, when
 * present, may lie at most {@code auth-leeway} in the future; {@code sub} is required, a non-empty
 * string. Permissions come from the {@code keel} claim: {@code {"sub":["news.*"],"pub":["chat.*"]}}.
 *
 * <p>Thread-safe; time comes from the injected clock.
 */
public final class TokenVerifier {
  private final JWSVerifier verifier;
  private final JWSAlgorithm algorithm;
  private final Clock clock;
  private final long leewaySeconds;

  private TokenVerifier(JWSVerifier verifier, JWSAlgorithm algorithm, Clock clock, long leewaySeconds) {
    this.verifier = verifier;
    this.algorithm = algorithm;
    this.clock = clock;
    this.leewaySeconds = leewaySeconds;
  }

  /** The verifier the configuration asks for, or null when no authentication is configured. */
  public static TokenVerifier from(KeelConfig config, Clock clock) {
    long leeway = config.get(CoreOptions.AUTH_LEEWAY).toSeconds();
    try {
      if (config.get(CoreOptions.AUTH_HMAC_SECRET) != null) {
        return new TokenVerifier(new MACVerifier(config.get(CoreOptions.AUTH_HMAC_SECRET).getBytes(StandardCharsets.UTF_8)),
            JWSAlgorithm.HS256, clock, leeway);
      }
      if (config.get(CoreOptions.AUTH_PUBLIC_KEY) != null) {
        PublicKey key = readPem(Path.of(config.get(CoreOptions.AUTH_PUBLIC_KEY)));
        if (key instanceof RSAPublicKey rsa) {
          return new TokenVerifier(new RSASSAVerifier(rsa), JWSAlgorithm.RS256, clock, leeway);
        }
        if (key instanceof ECPublicKey ec) {
          return new TokenVerifier(new ECDSAVerifier(ec), JWSAlgorithm.ES256, clock, leeway);
        }
        throw new IllegalArgumentException("auth-public-key must be an RSA or EC public key");
      }
      return null;
    } catch (JOSEException | IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the authentication key: " + e.getMessage(), e);
    }
  }

  public Identity verify(String token) throws InvalidTokenException {
    if (token == null || token.isBlank()) {
      throw new InvalidTokenException("missing token");
    }
    if (!TokenClaims.canonical(token)) {
      throw new InvalidTokenException("malformed token"); // each part must be canonical base64url
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new InvalidTokenException("malformed token");
    }
    if (!algorithm.equals(jwt.getHeader().getAlgorithm())) {
      throw new InvalidTokenException("token must be signed " + algorithm);
    }
    try {
      if (!jwt.verify(verifier)) {
        throw new InvalidTokenException("bad signature");
      }
    } catch (JOSEException e) {
      throw new InvalidTokenException("bad signature");
    }
    try {
      Map<String, Object> payload = jwt.getPayload().toJSONObject();
      if (payload == null) {
        throw new InvalidTokenException("bad claims: the payload is not a JSON object");
      }
      long now = clock.instant().getEpochSecond();
      Long exp = TokenClaims.seconds(payload, "exp");
      if (exp == null) {
        throw new InvalidTokenException("token has no exp");
      }
      if (!Instant.ofEpochSecond(exp).isAfter(clock.instant())) {
        throw new InvalidTokenException("token expired");
      }
      Long nbf = TokenClaims.seconds(payload, "nbf");
      if (nbf != null && nbf > now + leewaySeconds) {
        throw new InvalidTokenException("token not yet valid (nbf)");
      }
      Long iat = TokenClaims.seconds(payload, "iat");
      if (iat != null && iat > now + leewaySeconds) {
        throw new InvalidTokenException("token issued in the future (iat)");
      }
      if (!(payload.get("sub") instanceof String sub) || sub.isEmpty()) {
        throw new InvalidTokenException("token has no sub (a non-empty string)");
      }
      Map<String, Object> keel = jwt.getJWTClaimsSet().getJSONObjectClaim("keel");
      return new Identity(sub, Instant.ofEpochSecond(exp), patterns(keel, "sub"), patterns(keel, "pub"));
    } catch (ParseException | ClassCastException | IllegalArgumentException e) {
      throw new InvalidTokenException("bad claims: " + (e instanceof IllegalArgumentException ? e.getMessage() : "keel claim"));
    }
  }

  private static TopicPatterns patterns(Map<String, Object> keel, String key) {
    if (keel == null || keel.get(key) == null) {
      return TopicPatterns.none();
    }
    List<?> raw = (List<?>) keel.get(key);
    return TopicPatterns.of(raw.stream().map(o -> (String) o).toList());
  }

  private static PublicKey readPem(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file);
    String base64 = pem.replaceAll("-----BEGIN PUBLIC KEY-----|-----END PUBLIC KEY-----|\\s", "");
    X509EncodedKeySpec spec = new X509EncodedKeySpec(Base64.getDecoder().decode(base64));
    try {
      return KeyFactory.getInstance("RSA").generatePublic(spec);
    } catch (GeneralSecurityException notRsa) {
      return KeyFactory.getInstance("EC").generatePublic(spec);
    }
  }
}
