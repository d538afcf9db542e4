package dev.keel.cluster.redis;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real {@code redis-server} on a free loopback port, in memory only (no RDB, no AOF): the one on
 * PATH when there is one, else the linux-amd64 binary that the embedded-redis test jar carries.
 * {@link #kill()} sends SIGKILL; {@link #restart()} starts a fresh, empty one on the same port;
 * {@link #pause()} and {@link #resume()} send SIGSTOP and SIGCONT (a silent peer: no FIN, no RST).
 * {@link #startTls} serves TLS only, with a CA and a certificate made for the test.
 *
 * <p>Usage: {@code try (RedisProcess redis = RedisProcess.start()) { ... redis.uri() ... }}
 */
public final class RedisProcess implements AutoCloseable {
  private static final String EMBEDDED_BINARY = "redis-server-6.2.6-v5-linux-amd64";
  private static Path binary;

  private final int port;
  private final String password;
  private final Path dir;
  /** TLS only: the CA that signed the server's certificate, and the files redis-server reads. */
  private final X509Bundle ca;
  private final Path caPem;
  private final Path certPem;
  private final Path keyPem;
  private Process process;

  private RedisProcess(int port, String password, boolean tls) throws Exception {
    this.port = port;
    this.password = password;
    this.dir = Files.createTempDirectory("keel-redis-");
    if (tls) {
      ca = new CertificateBuilder().subject("CN=keel test redis CA").ecp256().setIsCertificateAuthority(true)
          .buildSelfSigned();
      X509Bundle server = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
          .addSanIpAddress("127.0.0.1").ecp256().addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
      caPem = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
      certPem = Files.writeString(dir.resolve("redis.crt"), server.getCertificatePEM());
      keyPem = Files.writeString(dir.resolve("redis.key"), server.getPrivateKeyPEM());
    } else {
      ca = null;
      caPem = certPem = keyPem = null;
    }
  }

  public static RedisProcess start() {
    return startWithPassword(null);
  }

  /** A server that requires {@code AUTH password} ({@code requirepass}); {@link #uri()} carries it. */
  public static RedisProcess startWithPassword(String password) {
    return start(password, false);
  }

  /**
   * A server that speaks TLS only ({@code --port 0 --tls-port}), its certificate (for 127.0.0.1 and
   * localhost) signed by a CA made here ({@link #caPem()}); clients need no certificate. With a
   * password when {@code password} is not null. {@link #uri()} is {@code rediss://}.
   */
  public static RedisProcess startTls(String password) {
    return start(password, true);
  }

  private static RedisProcess start(String password, boolean tls) {
    try {
      RedisProcess r = new RedisProcess(freePort(), password, tls);
      r.launch();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the test certificates", e);
    }
  }

  /** TLS only: the PEM file of the CA that signed the server's certificate. */
  public Path caPem() {
    return caPem;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return (ca == null ? "redis://" : "rediss://") + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
  }

  /** SIGSTOP: the server stops answering but its sockets stay open (no FIN, no RST), like a hung host. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}: the server answers again, as it was. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: no goodbye to clients, in-flight commands lost. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A new, empty server on the same port (its counters start again from nothing). */
  public void restart() {
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A synchronous client for assertions (PUBSUB CHANNELS, NUMSUB); close it after use. */
  public Admin admin() {
    RedisClient client = RedisClient.create(uri());
    if (ca != null) {
      client.setOptions(ClientOptions.builder()
          .sslOptions(SslOptions.builder().jdkSslProvider().trustManager(caPem.toFile()).build()).build());
    }
    return new Admin(client);
  }

  /** A test-side Redis connection. */
  public static final class Admin implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> conn;

    Admin(RedisClient client) {
      this.client = client;
      this.conn = client.connect();
    }

    public RedisCommands<String, String> sync() {
      return conn.sync();
    }

    /** Channels with at least one subscriber, matching {@code pattern}. */
    public List<String> channels(String pattern) {
      return conn.sync().pubsubChannels(pattern);
    }

    /** Subscribers (nodes) of one channel. */
    public long numsub(String channel) {
      return conn.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
    }

    @Override
    public void close() {
      conn.close();
      // A short quiet period: the channel's deregistration (which frees Lettuce's read buffer) runs
      // before the client's loops stop.
      client.shutdown(Duration.ofMillis(100), Duration.ofSeconds(2));
    }
  }

  private void launch() throws IOException {
    Path log = dir.resolve("redis.log");
    List<String> command = new java.util.ArrayList<>(List.of(binary().toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString()));
    if (ca != null) {
      command.set(2, "0"); // --port 0: no plaintext listener at all
      command.addAll(List.of("--tls-port", Integer.toString(port), "--tls-cert-file", certPem.toString(),
          "--tls-key-file", keyPem.toString(), "--tls-ca-cert-file", caPem.toString(), "--tls-auth-clients", "no"));
    }
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    await("redis-server on port " + port + " accepting (log: " + log + ")")
        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited: " + Files.readString(log));
          }
          try (Socket s = ca == null ? new Socket("127.0.0.1", port) : tlsSocket()) {
            s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] b = new byte[7];
            int n = s.getInputStream().read(b);
            // With requirepass, PING answers -NOAUTH: up all the same.
            String reply = n > 0 ? new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII) : "";
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
          } catch (IOException notYet) {
            return false;
          }
        });
  }

  private Socket tlsSocket() throws IOException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
      javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
      s.setSoTimeout(2000);
      s.startHandshake();
      return s;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static synchronized Path binary() throws IOException {
    if (binary != null) {
      return binary;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) {
        return binary = p;
      }
    }
    Path p = Files.createTempFile("keel-redis-server-", "");
    try (InputStream in = RedisProcess.class.getResourceAsStream("/" + EMBEDDED_BINARY)) {
      if (in == null) {
        throw new IllegalStateException("no redis-server on PATH and no " + EMBEDDED_BINARY
            + " on the test classpath (com.github.codemonstur:embedded-redis)");
      }
      Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
    }
    p.toFile().setExecutable(true);
    p.toFile().deleteOnExit();
    return binary = p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
