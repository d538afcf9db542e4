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
  // ------------------------------------------------------------------ the claims, as written

  /** A token signed with the test secret over exactly {@code payload}. */
  private static String raw(String payload) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static long now() {
    return NOW.getEpochSecond();
  }

  @Test
  void nbfAndIat_inTheFuture_areRefused_withinTheLeewayAccepted() throws Exception {
    TokenVerifier v = hmac(); // auth-leeway: 30 s by default
    long exp = now() + 3600;
    assertThatThrownBy(() -> v.verify(raw("{\"sub\":\"a\",\"exp\":" + exp + ",\"nbf\":" + (now() + 31) + "}")))
        .as("nbf 31 s ahead").hasMessage("token not yet valid (nbf)");
    assertThatThrownBy(() -> v.verify(raw("{\"sub\":\"a\",\"exp\":" + exp + ",\"iat\":" + (now() + 31) + "}")))
        .as("iat 31 s ahead").hasMessage("token issued in the future (iat)");
    assertThat(v.verify(raw("{\"sub\":\"a\",\"exp\":" + exp + ",\"nbf\":" + (now() + 30) + ",\"iat\":" + (now() + 30) + "}"))
        .subject()).as("nbf and iat 30 s ahead: within the leeway").isEqualTo("a");
    TokenVerifier strict = TokenVerifier.from(KeelConfig.builder().set(CoreOptions.AUTH_HMAC_SECRET, SECRET)
        .set(CoreOptions.AUTH_LEEWAY, java.time.Duration.ZERO).build(), clock);
    assertThatThrownBy(() -> strict.verify(raw("{\"sub\":\"a\",\"exp\":" + exp + ",\"nbf\":" + (now() + 1) + "}")))
        .as("nbf 1 s ahead, no leeway").hasMessage("token not yet valid (nbf)");
    assertThatThrownBy(() -> v.verify(raw("{\"sub\":\"a\",\"exp\":" + exp + ",\"nbf\":\"soon\"}")))
        .as("nbf not a number").hasMessageStartingWith("bad claims");
  }

  @Test
  void sub_isRequired_andANonEmptyString() throws Exception {
    TokenVerifier v = hmac();
    long exp = now() + 3600;
    for (String sub : new String[] {"", ",\"sub\":42", ",\"sub\":\"\"", ",\"sub\":null", ",\"sub\":{\"id\":1}"}) {
      assertThatThrownBy(() -> v.verify(raw("{\"exp\":" + exp + sub + "}"))).as("sub" + sub)
          .hasMessage("token has no sub (a non-empty string)");
    }
  }

  @Test
  void partsNotInCanonicalBase64url_areRefused() throws Exception {
    TokenVerifier v = hmac();
    String good = raw("{\"sub\":\"a\",\"exp\":" + (now() + 60) + "}");
    assertThat(v.verify(good).subject()).as("canonical").isEqualTo("a");
    assertThatThrownBy(() -> v.verify(good + "=")).as("padded signature").hasMessage("malformed token");
    String[] parts = good.split("\\.");
    assertThatThrownBy(() -> v.verify(parts[0] + "=." + parts[1] + "." + parts[2])).as("padded header")
        .hasMessage("malformed token");
    String sig = parts[2];
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char twin = alphabet.charAt(alphabet.indexOf(sig.charAt(sig.length() - 1)) ^ 1);
    assertThatThrownBy(() -> v.verify(parts[0] + "." + parts[1] + "." + sig.substring(0, sig.length() - 1) + twin))
        .as("a signature with its unused trailing bits set (it decodes to the same bytes)").hasMessage("malformed token");
    assertThatThrownBy(() -> v.verify(parts[0] + "." + parts[1] + "." + sig.replace('_', '/').replace('-', '+') + "+"))
        .as("standard base64 characters").hasMessage("malformed token");
  }

  @Test
  void farFutureExp_isValid_andCountsAsTheLastSecondOf9999() throws Exception {
    TokenVerifier v = hmac();
    Instant last = Instant.parse("9999-12-31T23:59:59Z");
    for (String exp : new String[] {"9223372036854775808", "9223372036854775807", "1e300", "253402300799"}) {
      Identity id = v.verify(raw("{\"sub\":\"a\",\"exp\":" + exp + "}"));
      assertThat(id.expiresAt()).as("exp " + exp).isEqualTo(last);
    }
    assertThatThrownBy(() -> v.verify(raw("{\"sub\":\"a\",\"exp\":-1}"))).as("a negative exp")
        .hasMessageStartingWith("bad claims");
    assertThatThrownBy(() -> v.verify(raw("{\"sub\":\"a\",\"exp\":\"tomorrow\"}"))).as("exp as text")
        .hasMessageStartingWith("bad claims");
  }
}
