package dev.keel.modpath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * keel-core as a module: its packaged jar and its runtime dependencies on the module path of a fresh
 * JVM, an application on the class path ({@link ModulePathProbe}). The other tests run on the class
 * path (docs/architecture.md says why); this one proves the module descriptor at run time: only the
 * API, config and SPI packages are open to an application, and an embedded server works.
 */
class ModulePathIT {
  /** What keel-core needs at run time, by jar name (the rest of the test class path stays off). */
  private static final List<String> RUNTIME = List.of("netty-", "jackson-", "snakeyaml", "nimbus-jose-jwt",
      "jcip-annotations", "slf4j-api", "slf4j-simple");

  @Test
  void builtJar_onTheModulePath_exportsOnlyTheApi_andServes() throws Exception {
    Path jar;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      jar = files.filter(p -> p.getFileName().toString().matches("keel-core-.*\\.jar")
          && !p.getFileName().toString().contains("-tests")).findFirst().orElseThrow(
              () -> new AssertionError("target/keel-core-*.jar is not built (run through mvn verify)"));
    }
    List<String> modulePath = new ArrayList<>(List.of(jar.toString()));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (entry.endsWith(".jar") && RUNTIME.stream().anyMatch(name::startsWith) && !name.startsWith("netty-pkitesting")) {
        modulePath.add(entry);
      }
    }
    // Only the probe on the class path: test-classes would shadow packages of the module.
    Path cp = Files.createTempDirectory("keel-modpath");
    Path probe = cp.resolve("dev/keel/modpath/ModulePathProbe.class");
    Files.createDirectories(probe.getParent());
    Files.copy(Path.of("target/test-classes/dev/keel/modpath/ModulePathProbe.class"), probe);
    Path listener = cp.resolve("dev/keel/modpath/ModulePathProbe$1.class");
    Files.copy(Path.of("target/test-classes/dev/keel/modpath/ModulePathProbe$1.class"), listener);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED,io.netty.common",
        "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "ALL-MODULE-PATH", // the native-library jars are modules nothing requires
       
        "-cp", cp.toString(), "dev.keel.modpath.ModulePathProbe").redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe finished within 60 s").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("the probe's exit code; its output:%n%s", out).isZero();
    assertThat(out).as("the probe's output").contains("MODULE-PATH OK").doesNotContain("FAIL ");
  }
}
