package dev.keel.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.testing.Http;
import dev.keel.testing.WsClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a user gets it: unpacked with tar, then run with nothing on PATH but
 * /usr/bin and /bin and no JAVA_HOME, so no JDK or Maven of this machine can be found. Its own runtime
 * (jlink) must carry every JDK module Keel touches: the server with a YAML file, TLS through BoringSSL,
 * the admin endpoints (JFR, heap, threads), keel config, keel token and keel load.
 */
class TarballIT {
  @TempDir
  static Path dir;
  private static Path home;

  @BeforeAll
  static void unpack() throws Exception {
    Path tarball = Path.of(System.getProperty("keel.dist.tarball"));
    assertThat(tarball).as("the tarball the build made").isRegularFile();
    Result untar = run(List.of("tar", "-xzf", tarball.toString(), "-C", dir.toString()), 60);
    assertThat(untar.exit()).as("tar -xzf: %s", untar.output()).isZero();
    home = dir.resolve(System.getProperty("keel.dist.name"));
  }

  /** What a command printed (stdout and stderr) and its exit status. */
  record Result(int exit, String output) {}

  /** The environment of a machine with no JDK: PATH=/usr/bin:/bin, no JAVA_HOME, nothing else. */
  private static ProcessBuilder bare(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/bin:/bin");
    env.put("HOME", dir.toString());
    return pb;
  }

  private static Result run(List<String> command, int seconds) throws Exception {
    Process p = bare(command).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static Result keel(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/keel").toString()));
    cmd.addAll(List.of(args));
    return run(cmd, 120);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void tarball_holdsItsRuntimeJarsLauncherAndUnit_forThisPlatformOnly() throws IOException {
    assertThat(home.resolve("bin/keel")).as("bin/keel").isExecutable();
    assertThat(home.resolve("runtime/bin/java")).as("the jlink runtime").isExecutable();
    assertThat(home.resolve("runtime/lib/jspawnhelper")).as("the runtime's process helper").isExecutable();
    assertThat(home.resolve("systemd/keel.service")).isRegularFile();
    assertThat(home.resolve("LICENSE")).isRegularFile();
    List<String> jars;
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(home.resolve("app/keel-server.jar")).as("keel serve").isRegularFile();
    assertThat(home.resolve("app/keel-load.jar")).as("keel load").isRegularFile();
    assertThat(jars).as("what they need").anyMatch(j -> j.startsWith("keel-core-"))
        .anyMatch(j -> j.startsWith("netty-codec-haproxy-")).noneMatch(j -> j.startsWith("keel-server"));
    assertThat(jars).as("no other platform's natives").noneMatch(j -> j.contains("aarch_64"));
    Map<String, String> byArtifact = new HashMap<>();
    for (String j : jars) {
      String artifact = j.replaceFirst("-\\d[^-]*(-SNAPSHOT|\\.Final|\\.RELEASE)?(-linux-[a-z0-9_]+)?\\.jar$", "$2");
      assertThat(byArtifact.put(artifact, j)).as("one version of %s in lib/ (%s)", artifact, j).isNull();
    }
    String release = Files.readString(home.resolve("runtime/release"));
    assertThat(release).as("only the modules Keel needs").contains("java.base").contains("jdk.jfr")
        .doesNotContain("java.desktop").doesNotContain("jdk.compiler");
  }

  @Test
  void commands_runWithoutAJdkOrMaven() throws Exception {
    assertThat(keel("--version")).as("keel --version").isEqualTo(new Result(0, "keel 0.1.0\n"));
    Result config = keel("config", "--ws-port", "0", "--idle-timeout", "2m");
    assertThat(config.exit()).as("keel config: %s", config.output()).isZero();
    assertThat(config.output()).contains("idle-timeout: 2m  # default: 1m");
    Result token = keel("token", "--auth-hmac-secret", "a-secret-of-at-least-32-bytes-long!");
    assertThat(token.exit()).as("keel token: %s", token.output()).isZero();
    assertThat(token.output()).as("a JWT").containsPattern("^eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+\\n");
    Result load = keel("load", "--help");
    assertThat(load.exit()).as("keel load --help: %s", load.output()).isZero();
    assertThat(load.output()).contains("churn");
    assertThat(load.output() + config.output()).as("one logging configuration each").doesNotContain("occurs multiple times");
  }

  @Test
  void serve_fromTheTarball_servesWebSocketAdminAndLoad_thenDrainsOnSigterm() throws Exception {
    int ws = freePort();
    int admin = freePort();
    Path yml = Files.writeString(dir.resolve("keel.yml"), "idle-timeout: 90s\nallowed-origins: []\ntcp-port: off\n");
    Path log = dir.resolve("serve.log");
    Process server = bare(List.of(home.resolve("bin/keel").toString(), "serve", "--config", yml.toString(),
        "--ws-port", Integer.toString(ws), "--admin-port", Integer.toString(admin), "--admin-allow-gc"))
        .redirectOutput(log.toFile()).start();
    try {
      await("the server answers /healthz (log: " + log + ")").atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> Http.get(ws, "/healthz").statusCode() == 200);
      try (WsClient a = WsClient.connect(ws); WsClient b = WsClient.connect(ws)) {
        a.send("{\"op\":\"sub\",\"topic\":\"dist\"}");
        assertThat(a.nextJson().get("op").asText()).isEqualTo("subscribed");
        b.send("{\"op\":\"pub\",\"topic\":\"dist\",\"data\":{\"from\":\"tarball\"}}");
        assertThat(a.nextJson().get("data").get("from").asText()).as("delivered").isEqualTo("tarball");
      }
      for (String path : List.of("/debug/memory", "/debug/heap", "/debug/threads", "/metrics")) {
        HttpResponse<String> r = Http.get(admin, path);
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
      }
      HttpResponse<byte[]> jfr = Http.getBytes(admin, "/debug/jfr?seconds=1");
      assertThat(jfr.statusCode()).as("a JFR recording (jdk.jfr in the runtime)").isEqualTo(200);
      assertThat(jfr.body().length).isPositive();
      Result load = keel("load", "idle", "--connections", "20", "--duration", "2s", "--ws-port", Integer.toString(ws),
          "--admin-url", "http://127.0.0.1:" + admin, "--settle", "10s", "--json", dir.resolve("idle.json").toString(),
          "--html", dir.resolve("idle.html").toString(), "--quiet");
      assertThat(load.exit()).as("keel load idle against it (java.net.http in the runtime): %s", load.output()).isZero();
      assertThat(Files.readString(log)).as("the banner").contains("ws://127.0.0.1:" + ws + "/ws");
      assertThat(Files.readString(log)).as("log lines in the shipped format (keel-server's ServerLogging)")
          .containsPattern("(?m)^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} INFO  \\[main\\] d\\.k\\.a\\.AdminExtension - admin listening on 127\\.0\\.0\\.1:" + admin + "$");
      server.destroy(); // SIGTERM
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped after the drain").isTrue();
      assertThat(server.exitValue()).as("exit status of a drained SIGTERM (log: %s)", Files.readString(log)).isZero();
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void serve_withTls_loadsBoringSslFromTheTarball() throws Exception {
    Result cert = run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()), 60);
    assertThat(cert.exit()).as("openssl: %s", cert.output()).isZero();
    int ws = freePort();
    Path log = dir.resolve("tls.log");
    Process server = bare(List.of(home.resolve("bin/keel").toString(), "serve", "--ws-port", Integer.toString(ws),
        "--tcp-port", "off", "--admin-port", "off", "--tls-cert", dir.resolve("cert.pem").toString(),
        "--tls-key", dir.resolve("key.pem").toString())).redirectOutput(log.toFile()).start();
    try {
      await("https /healthz (log: " + log + ")").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> run(List.of("curl", "-s", "--cacert", dir.resolve("cert.pem").toString(),
              "https://127.0.0.1:" + ws + "/healthz"), 20).output().contains("\"up\""));
      assertThat(Files.readString(log)).as("TLS through BoringSSL (netty-tcnative) in the tarball's runtime")
          .contains("wss+https").contains("(openssl)");
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
      server.destroyForcibly();
    }
  }

  @Test
  void systemdUnit_passesSystemdsOwnCheck() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(analyze), "no systemd-analyze on this machine");
    String unit = Files.readString(home.resolve("systemd/keel.service"));
    assertThat(unit).as("the unit runs the tarball's launcher").contains("ExecStart=/opt/keel/bin/keel serve");
    // The same unit with the launcher where this test unpacked it: verify checks that ExecStart exists.
    Path here = Files.writeString(dir.resolve("keel.service"), unit.replace("/opt/keel/bin/keel", home.resolve("bin/keel").toString()));
    Result verify = run(List.of(analyze.toString(), "verify", here.toString()), 60);
    assertThat(verify.exit()).as("systemd-analyze verify: %s", verify.output()).isZero();
    assertThat(verify.output()).as("no unknown or unparsable directive").doesNotContain("keel.service:");
  }
}
