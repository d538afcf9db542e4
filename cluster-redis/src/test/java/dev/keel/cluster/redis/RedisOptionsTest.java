package dev.keel.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.config.KeelConfig;
import dev.keel.config.OptionContract;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisOptionsTest {
  @Test
  void clusterOptions_keepTheDeclarationContract() {
    OptionContract.check(RedisOptions.SET);
  }

  @Test
  void defaults() {
    KeelConfig c = KeelConfig.builder(RedisOptions.SET).build();
    assertThat(c.get(RedisOptions.CLUSTER_REDIS)).as("cluster-redis (none: alone)").isNull();
    assertThat(c.get(RedisOptions.CLUSTER_PUBLISH_INFLIGHT)).as("cluster-publish-inflight").isEqualTo(4096);
    assertThat(c.get(RedisOptions.CLUSTER_REDIS_TRUST)).as("cluster-redis-trust (none)").isNull();
    assertThat(c.get(RedisOptions.CLUSTER_REDIS_PING_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void clusterRedisTrust_takesAPemCaFile_onlyWithRediss_andRefusesAFileWithoutACertificate() throws Exception {
    X509Bundle ca = new CertificateBuilder().subject("CN=test-ca").setIsCertificateAuthority(true).buildSelfSigned();
    File pem = ca.toTempCertChainPem();
    File notPem = Files.writeString(Files.createTempFile("not-a-cert", ".pem"), "hello").toFile();
    try {
      KeelConfig c = KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "rediss://127.0.0.1:6380")
          .parse("cluster-redis-trust", pem.getPath()).build();
      assertThat(c.get(RedisOptions.CLUSTER_REDIS_TRUST)).isEqualTo(pem.getPath());
      assertThat(RedisOptions.CLUSTER_REDIS_TRUST.show(c.get(RedisOptions.CLUSTER_REDIS_TRUST)))
          .as("shown as its path").isEqualTo(pem.getPath());
      assertThatThrownBy(() -> KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "redis://127.0.0.1:6379")
          .parse("cluster-redis-trust", pem.getPath()).build())
          .as("a CA for a plaintext redis://").hasMessageContaining("cluster-redis-trust is for TLS to Redis");
      assertThatThrownBy(() -> KeelConfig.builder(RedisOptions.SET).parse("cluster-redis-trust", pem.getPath()).build())
          .as("a CA without cluster-redis").hasMessageContaining("needs a rediss:// cluster-redis");
      assertThatThrownBy(() -> KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "rediss://127.0.0.1:6380")
          .parse("cluster-redis-trust", notPem.getPath()).build())
          .as("a file with no certificate").hasMessageContaining("cluster-redis-trust " + notPem.getPath() + " holds no");
      assertThatThrownBy(() -> KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "rediss://127.0.0.1:6380")
          .parse("cluster-redis-trust", "/nonexistent/ca.pem").build())
          .as("a missing file").hasMessageContaining("cluster-redis-trust /nonexistent/ca.pem is not a readable file");
    } finally {
      pem.delete();
      notPem.delete();
    }
  }

  @Test
  void clusterRedisPingInterval_acceptsItsBoundsOnly() {
    assertThat(KeelConfig.builder(RedisOptions.SET).parse("cluster-redis-ping-interval", "100ms").build()
        .get(RedisOptions.CLUSTER_REDIS_PING_INTERVAL)).isEqualTo(Duration.ofMillis(100));
    assertThat(KeelConfig.builder(RedisOptions.SET).parse("cluster-redis-ping-interval", "1h").build()
        .get(RedisOptions.CLUSTER_REDIS_PING_INTERVAL)).isEqualTo(Duration.ofHours(1));
    OptionContract.refuses(RedisOptions.SET, RedisOptions.CLUSTER_REDIS_PING_INTERVAL, Duration.ofMillis(99));
    OptionContract.refuses(RedisOptions.SET, RedisOptions.CLUSTER_REDIS_PING_INTERVAL, Duration.ofMinutes(61));
  }

  @Test
  void clusterRedis_acceptsRedisAndRedissWithPassword_andRefusesOtherUris() {
    KeelConfig c = KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "rediss://:s3cret@redis.internal:6380").build();
    assertThat(c.get(RedisOptions.CLUSTER_REDIS)).isEqualTo("rediss://:s3cret@redis.internal:6380");
    assertThat(RedisOptions.CLUSTER_REDIS.show(c.get(RedisOptions.CLUSTER_REDIS))).as("shown without the password")
        .isEqualTo("rediss://:***@redis.internal:6380");
    assertThat(KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "none").build()
        .get(RedisOptions.CLUSTER_REDIS)).isNull();
    OptionContract.refuses(RedisOptions.SET, RedisOptions.CLUSTER_REDIS, "http://127.0.0.1:6379");
    OptionContract.refuses(RedisOptions.SET, RedisOptions.CLUSTER_REDIS, "redis://:6379");
    assertThatThrownBy(() -> KeelConfig.builder(RedisOptions.SET).parse("cluster-redis", "ftp://:pw@x:1").build())
        .as("the password is never shown in the error").hasMessageNotContaining("pw");
  }
}
