package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.config.CoreOptions;
import dev.keel.testing.DocBlocks;
import dev.keel.testing.ProxyProcess;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md's TLS recipe as written: its openssl command makes the certificate, Keel serves
 * with it, and its curl command (the port replaced) gets an answer, checking the certificate against
 * 127.0.0.1.
 */
class DocTlsRecipeIT {
  @TempDir
  Path dir;

  private String sh(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-euc", script).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished: %s", script).isTrue();
    assertThat(p.exitValue()).as("exit code of %s (output: %s)", script, out).isZero();
    return out;
  }

  @Test
  void tlsRecipe_certificateHasTheIpSan_andTheClientCommandGetsAnAnswer() throws Exception {
    assumeTrue(ProxyProcess.binary("openssl").isPresent() && ProxyProcess.binary("curl").isPresent(),
        "the recipe needs openssl and curl on PATH");
    sh(DocBlocks.block("security.md", "recipe:tls-cert"));
    assertThat(sh("openssl x509 -in cert.pem -noout -ext subjectAltName")).as("the certificate's names")
        .contains("IP Address:127.0.0.1").contains("DNS:localhost");
    try (Running server = Servers.start(b -> b.set(CoreOptions.TLS_CERT, dir.resolve("cert.pem").toString())
        .set(CoreOptions.TLS_KEY, dir.resolve("key.pem").toString()))) {
      String client = DocBlocks.block("security.md", "recipe:tls-client").replace(":8080", ":" + server.wsPort());
      assertThat(sh(client).trim()).as("what the client command prints").isEqualTo("{\"status\":\"up\"}");
    }
  }
}
