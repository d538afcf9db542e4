package dev.keel.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Across modules: keel-admin, keel-cluster-redis and keel-server use keel-core only through its
 * public packages ({@code dev.keel.api}, {@code dev.keel.config}, {@code dev.keel.spi}), never its
 * internals; and keel-core knows nothing of them (its own LayersTest keeps the layers inside it).
 */
class ModulesTest {
  static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(location -> !location.contains("-tests.jar")) // the modules' test helpers
      .importPackages("dev.keel");

  static final String[] CORE_INTERNALS = {"dev.keel.limit..", "dev.keel.session..", "dev.keel.auth..",
      "dev.keel.transport..", "dev.keel.fanout..", "dev.keel.engine.."};

  @Test
  void extensionsAndTheServer_useOnlyCoresPublicPackages() {
    noClasses().that().resideInAnyPackage("dev.keel.admin..", "dev.keel.cluster..", "dev.keel.pubsub..",
            "dev.keel.serve..", "dev.keel.cli..")
        .should().dependOnClassesThat().resideInAnyPackage(CORE_INTERNALS)
        .check(ALL);
  }

  @Test
  void core_knowsNothingOfTheOtherModules() {
    noClasses().that().resideInAnyPackage("dev.keel.api..", "dev.keel.config..", "dev.keel.spi..",
            "dev.keel.engine..", "dev.keel.fanout..", "dev.keel.session..", "dev.keel.transport..",
            "dev.keel.auth..", "dev.keel.limit..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.keel.admin..", "dev.keel.cluster..",
            "dev.keel.pubsub..", "dev.keel.serve..", "dev.keel.cli..")
        .check(ALL);
  }
}
