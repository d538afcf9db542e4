package dev.keel.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The direction dependencies may point in keel-core (docs/architecture.md draws it):
 * <pre>
 *   config ← spi ← limit ← session ← auth ← transport ← fanout ← engine ← api
 * </pre>
 * each layer using only those to its left (and not all of them: the rules below say exactly), the
 * fan-out seeing a connection only through {@code Subscriber}, and the public API naming only public
 * types. A wrong arrow fails the build here instead of waiting for a reviewer.
 */
class LayersTest {
  /** keel-core's own classes (not its tests, not its dependencies). */
  static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPath(Path.of("target/classes"));

  static final String CONFIG = "dev.keel.config..";
  static final String SPI = "dev.keel.spi..";
  static final String LIMIT = "dev.keel.limit..";
  static final String SESSION = "dev.keel.session..";
  static final String AUTH = "dev.keel.auth..";
  static final String TRANSPORT = "dev.keel.transport..";
  static final String FANOUT = "dev.keel.fanout..";
  static final String ENGINE = "dev.keel.engine..";
  static final String API = "dev.keel.api..";

  @Test
  void layers_dependOnlyLeftward() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("config").definedBy(CONFIG)
        .layer("spi").definedBy(SPI)
        .layer("limit").definedBy(LIMIT)
        .layer("session").definedBy(SESSION)
        .layer("auth").definedBy(AUTH)
        .layer("transport").definedBy(TRANSPORT)
        .layer("fanout").definedBy(FANOUT)
        .layer("engine").definedBy(ENGINE)
        .layer("api").definedBy(API)
        .whereLayer("api").mayNotBeAccessedByAnyLayer()
        .whereLayer("engine").mayOnlyBeAccessedByLayers("api")
        .whereLayer("fanout").mayOnlyBeAccessedByLayers("engine", "api")
        .whereLayer("transport").mayOnlyBeAccessedByLayers("engine")
        .whereLayer("auth").mayOnlyBeAccessedByLayers("transport", "engine")
        .whereLayer("session").mayOnlyBeAccessedByLayers("auth", "transport", "fanout", "engine", "api")
        .whereLayer("limit").mayOnlyBeAccessedByLayers("session", "transport", "fanout", "engine")
        .whereLayer("spi").mayOnlyBeAccessedByLayers("session", "transport", "fanout", "engine", "api")
        .whereLayer("config").mayOnlyBeAccessedByLayers("spi", "limit", "session", "auth", "transport", "fanout",
            "engine", "api")
        .check(CORE);
  }

  @Test
  void packages_haveNoCycles() {
    slices().matching("dev.keel.(*)..").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void fanOut_seesAConnectionOnlyAsASubscriber() {
    classes().that().resideInAPackage(FANOUT)
        .should().onlyDependOnClassesThat(resideOutsideOfSessionOr("dev.keel.session.Subscriber",
            "dev.keel.session.Framing", "dev.keel.session.SendOutcome"))
        .check(CORE);
  }

  @Test
  void config_dependsOnNothingOfKeel() {
    classes().that().resideInAPackage(CONFIG)
        .should().onlyDependOnClassesThat(new com.tngtech.archunit.base.DescribedPredicate<JavaClass>("config or not Keel") {
          @Override
          public boolean test(JavaClass c) {
            return !c.getPackageName().startsWith("dev.keel") || c.getPackageName().equals("dev.keel.config");
          }
        })
        .check(CORE);
  }

  @Test
  void publicApi_namesOnlyApiConfigSpiAndJdkTypes() {
    classes().that().resideInAPackage(API).and().arePublic()
        .should(nameOnly("the API, config, spi or the JDK", t -> inPackages(t, "dev.keel.api", "dev.keel.config",
            "dev.keel.spi") || t.getPackageName().startsWith("java.")))
        .check(CORE);
  }

  @Test
  void config_namesOnlyConfigAndJdkTypes() {
    classes().that().resideInAPackage(CONFIG).and().arePublic()
        .should(nameOnly("config or the JDK", t -> inPackages(t, "dev.keel.config") || t.getPackageName().startsWith("java.")))
        .check(CORE);
  }

  @Test
  void spi_namesOnlyApiConfigSpiJdkAndNettyTypes() {
    // Extensions are Keel's own modules, built on Netty like core: the SPI may hand them Netty's loops
    // and allocator; the application API above may not.
    classes().that().resideInAPackage(SPI).and().arePublic()
        .should(nameOnly("config, spi, the JDK or Netty", t -> inPackages(t, "dev.keel.config", "dev.keel.spi")
            || t.getPackageName().startsWith("java.") || t.getPackageName().startsWith("io.netty.")))
        .check(CORE);
  }

  private static boolean inPackages(JavaClass t, String... packages) {
    for (String p : packages) {
      if (t.getPackageName().equals(p)) {
        return true;
      }
    }
    return t.isPrimitive() || (t.isArray() && inPackagesOrJdk(t.getBaseComponentType(), packages));
  }

  private static boolean inPackagesOrJdk(JavaClass t, String... packages) {
    return t.isPrimitive() || t.getPackageName().startsWith("java.") || inPackages(t, packages);
  }

  private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> resideOutsideOfSessionOr(String... allowed) {
    List<String> ok = List.of(allowed);
    return new com.tngtech.archunit.base.DescribedPredicate<>("outside dev.keel.session, or one of " + ok) {
      @Override
      public boolean test(JavaClass c) {
        JavaClass base = c.isArray() ? c.getBaseComponentType() : c;
        return !base.getPackageName().equals("dev.keel.session") || ok.contains(base.getName());
      }
    };
  }

  /** Every public or protected member's signature (parameters, return, throws, field type) passes {@code ok}. */
  private static ArchCondition<JavaClass> nameOnly(String what, Predicate<JavaClass> ok) {
    return new ArchCondition<>("name only types of " + what + " in public signatures") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        List<JavaMember> members = new ArrayList<>();
        members.addAll(c.getMethods());
        members.addAll(c.getConstructors());
        members.addAll(c.getFields());
        for (JavaMember m : members) {
          if (!m.getModifiers().contains(JavaModifier.PUBLIC) && !m.getModifiers().contains(JavaModifier.PROTECTED)) {
            continue;
          }
          List<JavaType> types = new ArrayList<>();
          if (m instanceof JavaCodeUnit u) {
            types.add(u.getReturnType());
            types.addAll(u.getParameterTypes());
            u.getThrowsClause().forEach(t -> types.add(t.getRawType()));
          } else if (m instanceof JavaField f) {
            types.add(f.getType());
          }
          for (JavaType t : types) {
            for (JavaClass raw : t.getAllInvolvedRawTypes()) {
              if (!ok.test(raw)) {
                events.add(SimpleConditionEvent.violated(m, m.getFullName() + " names " + raw.getName()));
              }
            }
          }
        }
      }
    };
  }
}
