package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.DocBlocks;
import dev.keel.testing.ProxyProcess;
import dev.keel.testing.WsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/embedding.md's quick start as a newcomer runs it: its three blocks (pom.xml, Lobby.java, the run
 * line) become a project, built by Maven against the keel-core and keel-bom this build just made,
 * started on a free port, and talked to. A doc change that breaks the sample fails here.
 *
 * <p>The sample's Maven gets a local repository of its own: Keel's artifacts copied fresh from this
 * build (what {@code mvn install} would put there), everything else linked from this build's
 * repository, so nothing is downloaded twice and nothing stale of Keel's is used.
 */
class DocQuickStartIT {
  private static final String DOC = "embedding.md";

  @TempDir
  Path dir;

  @Test
  void quickStart_asWritten_buildsAgainstTheFreshArtifacts_startsAndTalks() throws Exception {
    String version = System.getProperty("keel.version", "0.1.0-SNAPSHOT");
    Path project = dir.resolve("lobby");
    DocBlocks.write(DOC, "quickstart:pom.xml", project.resolve("pom.xml"));
    DocBlocks.write(DOC, "quickstart:src/main/java/demo/Lobby.java", project.resolve("src/main/java/demo/Lobby.java"));
    String run = DocBlocks.block(DOC, "quickstart:run").trim();
    List<String> words = new ArrayList<>(Arrays.asList(run.split("\\s+")));
    assertThat(words.get(0)).as("the run line starts with mvn: %s", run).isEqualTo("mvn");
    assertThat(Files.readString(project.resolve("pom.xml"))).as("the sample uses this version")
        .contains("<keel.version>" + version + "</keel.version>");

    Path repo = repository(version);
    int port = ProxyProcess.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("keel.maven.home", "/usr/share/maven"), "bin", "mvn").toString());
    command.addAll(List.of("-B", "-Dmaven.repo.local=" + repo));
    if (System.getProperty("keel.maven.offline", "").endsWith("true")) { // "offline=true" when this build is
      command.add("-o");
    }
    command.addAll(words.subList(1, words.size()));
    command.add("-Dlobby.port=" + port);
    Path log = dir.resolve("mvn.log");
    Process mvn = new ProcessBuilder(command).directory(project.toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try {
      String banner = "lobby on ws://127.0.0.1:" + port + "/ws";
      CompletableFuture<String> started = CompletableFuture.supplyAsync(() -> firstLineWith(mvn, banner));
      String line = started.get(180, TimeUnit.SECONDS);
      assertThat(line).as("what `%s` prints once the lobby is up (stderr: %s)", run, Files.readString(log))
          .contains(banner);

      try (WsClient alice = WsClient.connect(port); WsClient bob = WsClient.connect(port)) {
        // Bob's handler runs onOpen (which subscribes him) before his first message: his "ok" says he
        // is in the lobby before Alice speaks. Alice connected first, so she is guest-1.
        bob.send("/name bob");
        assertThat(bob.next(Duration.ofSeconds(20))).as("the reply to /name").isEqualTo("ok");
        alice.send("hi");
        String expected = "{\"op\":\"msg\",\"topic\":\"lobby\",\"seq\":1,\"data\":{\"from\":\"guest-1\",\"text\":\"hi\"}}";
        assertThat(alice.next(Duration.ofSeconds(20))).as("the envelope the doc shows").isEqualTo(expected);
        assertThat(bob.next(Duration.ofSeconds(20))).as("everyone in the lobby hears it").isEqualTo(expected);
        bob.send("hello");
        assertThat(WsClient.parse(alice.next(Duration.ofSeconds(20))).get("data").get("from").asText())
            .as("the new name").isEqualTo("bob");
      }
    } finally {
      stop(mvn);
    }
  }

  /** Reads the process's stdout until a line contains {@code text}; the rest is left to drain. */
  private static String firstLineWith(Process p, String text) {
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null) {
        if (line.contains(text)) {
          Thread drain = new Thread(() -> {
            try {
              out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException gone) {
              // the process ended
            }
          }, "quickstart-stdout");
          drain.setDaemon(true);
          drain.start();
          return line;
        }
        seen.append(line).append('\n');
      }
      return "(ended without it; stdout was: " + seen + ")";
    } catch (IOException e) {
      return "(stdout failed: " + e + ")";
    }
  }

  /** The sample runs `java` under Maven: stop that process tree, children first. */
  private static void stop(Process mvn) throws InterruptedException {
    List<ProcessHandle> tree = mvn.descendants().toList();
    for (ProcessHandle h : tree) {
      h.destroy();
    }
    mvn.destroy();
    if (!mvn.waitFor(20, TimeUnit.SECONDS)) {
      mvn.destroyForcibly();
    }
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
    }
  }

  /**
   * A local repository for the sample: keel-bom, keel-parent and keel-core as this build made them,
   * every other artifact linked from this build's own repository.
   */
  private Path repository(String version) throws IOException {
    // Under target/, not the test's temporary directory: its links are removed here, never followed.
    Path repo = Path.of("target", "doc-quickstart-repo").toAbsolutePath();
    removeLinksAndCopies(repo);
    Files.createDirectories(repo);
    Path main = Path.of(System.getProperty("keel.maven.repo", System.getProperty("user.home") + "/.m2/repository"));
    assertThat(main).as("this build's local repository").isDirectory();
    try (Stream<Path> top = Files.list(main)) {
      for (Path p : top.toList()) {
        if (!p.getFileName().toString().equals("dev")) {
          Files.createSymbolicLink(repo.resolve(p.getFileName().toString()), p);
        }
      }
    }
    if (Files.isDirectory(main.resolve("dev"))) {
      Files.createDirectories(repo.resolve("dev"));
      try (Stream<Path> dev = Files.list(main.resolve("dev"))) {
        for (Path p : dev.toList()) {
          if (!p.getFileName().toString().equals("keel")) {
            Files.createSymbolicLink(repo.resolve("dev").resolve(p.getFileName().toString()), p);
          }
        }
      }
    }
    Path root = Path.of("..").toAbsolutePath().normalize();
    install(repo, "keel-bom", version, root.resolve("bom/pom.xml"), null);
    install(repo, "keel-parent", version, root.resolve("pom.xml"), null);
    Path jar = root.resolve("core/target/keel-core-" + version + ".jar");
    assertThat(jar).as("keel-core built by this build (mvn verify packages it before these tests)").isRegularFile();
    install(repo, "keel-core", version, root.resolve("core/pom.xml"), jar);
    return repo;
  }

  /** Deletes {@code dir}: its links themselves (never what they point to) and the copies made here. */
  private static void removeLinksAndCopies(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) { // does not follow links
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void install(Path repo, String artifact, String version, Path pom, Path jar) throws IOException {
    Path at = Files.createDirectories(repo.resolve("dev/keel").resolve(artifact).resolve(version));
    Files.copy(pom, at.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (jar != null) {
      Files.copy(jar, at.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
