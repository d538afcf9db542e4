package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS on both listeners, with a certificate the test makes for itself. */
class TlsIT {
  private static X509Bundle cert;
  private static File certPem;
  private static File keyPem;
  private static SSLContext trusting;
  private static Running server;

  @BeforeAll
  static void start() throws Exception {
    cert = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost").ecp256()
        .setIsCertificateAuthority(true).buildSelfSigned();
    certPem = cert.toTempCertChainPem();
    keyPem = cert.toTempPrivateKeyPem();
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("keel", cert.getCertificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);
    server = Servers.start(b -> b.set(CoreOptions.TLS_CERT, certPem.getPath()).set(CoreOptions.TLS_KEY, keyPem.getPath())
        .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofMillis(800)));
  }

  @AfterAll
  static void stop() {
    server.close();
    certPem.delete();
    keyPem.delete();
  }

  @Test
  void framedTcpRoundTripOverTls() {
    try (TcpClient tcp = TcpClient.connectTls(server.tcpPort(), trusting)) {
      tcp.send("{\"op\":\"echo\",\"data\":\"secret\"}");
      assertThat(tcp.read()).as("echo over TLS").isEqualTo("{\"op\":\"echo\",\"data\":\"secret\"}");
    }
  }

  @Test
  void webSocketRoundTripOverTlsAndCrossTransportPubSub() {
    try (WsClient ws = WsClient.connectTls(server.wsPort(), trusting);
        TcpClient tcp = TcpClient.connectTls(server.tcpPort(), trusting)) {
      ws.send("{\"op\":\"sub\",\"topic\":\"s\"}");
      ws.next();
      tcp.send("{\"op\":\"pub\",\"topic\":\"s\",\"data\":1,\"id\":1}");
      assertThat(tcp.read()).isEqualTo("{\"op\":\"ok\",\"id\":1}");
      assertThat(ws.next()).as("wss subscriber gets the TLS publisher's message")
          .isEqualTo("{\"op\":\"msg\",\"topic\":\"s\",\"seq\":1,\"data\":1}");
    }
  }

  @Test
  void httpsHealthz() throws Exception {
    HttpResponse<String> r = HttpClient.newBuilder().sslContext(trusting).build().send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + server.wsPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void aPeerThatNeverCompletesTheTlsHandshakeIsClosedWithinTheHandshakeTimeout() throws Exception {
    try (Socket silent = new Socket("127.0.0.1", server.tcpPort())) {
      silent.setSoTimeout(10_000);
      InputStream in = silent.getInputStream();
      assertThat(in.read()).as("closed without a byte: no TLS handshake, no session").isEqualTo(-1);
    }
  }

  @Test
  void plaintextOnATlsPortIsRefused() throws Exception {
    try (Socket plain = new Socket("127.0.0.1", server.tcpPort())) {
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write(new byte[] {0, 0, 0, 15, '{', '"', 'o', 'p', '"', ':', '"', 'p', 'i', 'n', 'g', '"', '}'});
      InputStream in = plain.getInputStream();
      // Whatever TLS alert may come first, the server then closes: no plaintext reply, ever.
      byte[] rest = in.readAllBytes();
      assertThat(new String(rest, java.nio.charset.StandardCharsets.ISO_8859_1)).as("no pong in plaintext")
          .doesNotContain("pong");
    }
  }
}
