package dev.keel.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.config.ConfigFile;
import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.config.Units;
import dev.keel.serve.PubSubServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code keel token}: mints a development connect token (JWT, HS256) for a server started with
 * {@code --auth-hmac-secret}: a subject, the topic patterns it may subscribe to and publish on, and a
 * lifetime. The secret comes from the same places as the server's: the flag, then
 * {@code $KEEL_AUTH_HMAC_SECRET}, then {@code --config FILE}. Your login service signs real tokens.
 */
final class TokenCommand {
  static final Duration MAX_TTL = Duration.ofDays(7);

  private TokenCommand() {}

  /** What a token says. */
  record Grant(String subject, List<String> subscribe, List<String> publish, Duration ttl) {}

  static CommandSpec command() {
    CommandSpec spec = CommandSpec.create().name("token").mixinStandardHelpOptions(true).version(Main.VERSION);
    spec.usageMessage().description("Mint a development connect token (JWT, HS256) for a server started with"
        + " --auth-hmac-secret; print it on stdout.", "Connect with ws://HOST:PORT/ws?token=TOKEN, or send"
        + " {\"op\":\"auth\",\"token\":TOKEN} first on framed TCP (docs/security.md).").sortOptions(false);
    spec.addOption(OptionSpec.builder("--sub").paramLabel("SUBJECT").type(String.class).defaultValue("dev")
        .description("Who the token is for (the sub claim). Default: dev.").build());
    spec.addOption(OptionSpec.builder("--subscribe").paramLabel("PATTERNS").type(String.class).defaultValue(">")
        .description("Comma-separated topic patterns it may subscribe to (news.*, user.alice.>); '' for none."
            + " Default: > (every topic).").build());
    spec.addOption(OptionSpec.builder("--publish").paramLabel("PATTERNS").type(String.class).defaultValue(">")
        .description("Comma-separated topic patterns it may publish on; '' for none. Default: > (every topic).").build());
    spec.addOption(OptionSpec.builder("--ttl").paramLabel("DURATION").type(String.class).defaultValue("1h")
        .description("Lifetime, with a unit (30m, 1h, 7d at most). Default: 1h.").build());
    spec.addOption(OptionSpec.builder("--auth-hmac-secret").paramLabel("SECRET").type(String.class)
        .description("The server's secret (at least 32 bytes). Else $KEEL_AUTH_HMAC_SECRET, else --config's.").build());
    spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
        .description("The server's YAML config file, for its auth-hmac-secret.").build());
    return spec;
  }

  /** The grant the flags ask for. */
  static Grant grant(ParseResult p) {
    Duration ttl = Units.parseDuration(p.matchedOptionValue("--ttl", "1h"));
    if (ttl.isZero() || ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("--ttl must be more than 0 and at most 7d, was " + Units.formatDuration(ttl));
    }
    return new Grant(p.matchedOptionValue("--sub", "dev"), patterns(p.matchedOptionValue("--subscribe", ">")),
        patterns(p.matchedOptionValue("--publish", ">")), ttl);
  }

  private static List<String> patterns(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /**
   * The server's secret, as the flags find it.
   *
   * @throws IllegalArgumentException when there is none, or it is too short
   */
  static String secret(ParseResult p) {
    KeelConfig.Builder b = PubSubServer.config();
    if (p.hasMatchedOption("--config")) {
      ConfigFile.applyTo(b, p.matchedOptionValue("--config", (Path) null));
    }
    String env = System.getenv(CoreOptions.AUTH_HMAC_SECRET.env());
    if (env != null && !env.isEmpty()) {
      b.parse(CoreOptions.AUTH_HMAC_SECRET, env);
    }
    if (p.hasMatchedOption("--auth-hmac-secret")) {
      b.parse(CoreOptions.AUTH_HMAC_SECRET, p.matchedOptionValue("--auth-hmac-secret", ""));
    }
    String secret = b.get(CoreOptions.AUTH_HMAC_SECRET);
    if (secret == null) {
      throw new IllegalArgumentException("no secret: give --auth-hmac-secret, $" + CoreOptions.AUTH_HMAC_SECRET.env()
          + ", or --config FILE with auth-hmac-secret (the server's own)");
    }
    b.build(); // the secret's own check: at least 32 bytes
    return secret;
  }

  /** The signed token. */
  static String mint(String secret, Grant g, Clock clock) {
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(g.subject())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(g.ttl())))
        .claim("keel", Map.of("sub", g.subscribe(), "pub", g.publish()))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /** The line on stderr that says what the token allows. */
  static String describe(Grant g, Clock clock) {
    return "keel token: for " + g.subject() + ", subscribe " + g.subscribe() + ", publish " + g.publish()
        + ", expires " + clock.instant().plus(g.ttl()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        + " (in " + Units.formatDuration(g.ttl()) + ")";
  }
}
