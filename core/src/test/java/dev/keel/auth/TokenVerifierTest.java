package dev.keel.auth;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.config.KeelConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-11-28T00:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static JWTClaimsSet claims(Instant exp) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("alice")
        .claim("keel", Map.of("sub", List.of("news.*"), "pub", List.of("chat.>")));
    if (exp != null) {
      b.expirationTime(Date.from(exp));
    }
    return b.build();
  }

  private TokenVerifier hmac() {
    return TokenVerifier.from(KeelConfig.builder().set(CoreOptions.AUTH_HMAC_SECRET, SECRET).build(), clock);
  }

  @Test
  void validHs256Token_givesThePrincipalAndPermissions() throws Exception {
    String token = sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256,
        claims(NOW.plusSeconds(60)));
    Identity p = hmac().verify(token);
    assertThat(p.subject()).isEqualTo("alice");
    assertThat(p.expiresAt()).isEqualTo(NOW.plusSeconds(60));
    assertThat(p.maySubscribe("news.eu")).isTrue();
    assertThat(p.maySubscribe("chat.x")).isFalse();
    assertThat(p.mayPublish("chat.room.1")).isTrue();
  }

  @Test
  void expiredMissingExpWrongKeyMalformedAndMissing_areRefused() throws Exception {
    MACSigner right = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
    MACSigner wrong = new MACSigner("ffffffffffffffffffffffffffffffff".getBytes(StandardCharsets.UTF_8));
    TokenVerifier v = hmac();
    assertThatThrownBy(() -> v.verify(sign(right, JWSAlgorithm.HS256, claims(NOW.minusSeconds(1)))))
        .hasMessage("token expired");
    assertThatThrownBy(() -> v.verify(sign(right, JWSAlgorithm.HS256, claims(null)))).hasMessage("token has no exp");
    assertThatThrownBy(() -> v.verify(sign(wrong, JWSAlgorithm.HS256, claims(NOW.plusSeconds(60)))))
        .hasMessage("bad signature");
    assertThatThrownBy(() -> v.verify("not.a.jwt")).hasMessage("malformed token");
    assertThatThrownBy(() -> v.verify(null)).hasMessage("missing token");
    String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
        + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
            ("{\"sub\":\"x\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8)) + ".";
    assertThatThrownBy(() -> v.verify(unsigned)).as("alg none").isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void publicKeyVerifiers_acceptOnlyTheirAlgorithm(@TempDir Path dir) throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();

    TokenVerifier rsaVerifier = TokenVerifier.from(KeelConfig.builder()
        .set(CoreOptions.AUTH_PUBLIC_KEY, pem(dir.resolve("rsa.pem"), rsa).toString()).build(), clock);
    assertThat(rsaVerifier.verify(sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256,
        claims(NOW.plusSeconds(60)))).subject()).isEqualTo("alice");

    TokenVerifier ecVerifier = TokenVerifier.from(KeelConfig.builder()
        .set(CoreOptions.AUTH_PUBLIC_KEY, pem(dir.resolve("ec.pem"), ec).toString()).build(), clock);
    assertThat(ecVerifier.verify(sign(new ECDSASigner((ECPrivateKey) ec.getPrivate()), JWSAlgorithm.ES256,
        claims(NOW.plusSeconds(60)))).subject()).isEqualTo("alice");

    String hs = sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims(NOW.plusSeconds(60)));
    assertThatThrownBy(() -> rsaVerifier.verify(hs)).as("HS256 against an RSA key").hasMessage("token must be signed RS256");
  }

  static Path pem(Path file, KeyPair pair) throws Exception {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded());
    return Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
  }
}
