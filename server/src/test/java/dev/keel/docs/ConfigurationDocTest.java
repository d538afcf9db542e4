package dev.keel.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.OptionDocs;
import dev.keel.serve.PubSubServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's option tables are what the declarations generate: change a declaration
 * without regenerating (or edit the table by hand) and this fails. With {@code -Dkeel.docs.write=true}
 * it rewrites the generated part instead (docs/configuration.md says when).
 */
class ConfigurationDocTest {
  static final Path DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void optionTables_matchTheDeclarations() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int begin = doc.indexOf(OptionDocs.BEGIN);
    int end = doc.indexOf(OptionDocs.END);
    assertThat(begin).as("%s has the line %s", DOC, OptionDocs.BEGIN).isNotNegative();
    assertThat(end).as("%s has the line %s", DOC, OptionDocs.END).isGreaterThan(begin);
    String generated = OptionDocs.tables(PubSubServer.OPTION_SETS);
    String committed = doc.substring(begin + OptionDocs.BEGIN.length(), end);
    if (Boolean.getBoolean("keel.docs.write") && !committed.equals(generated)) {
      Files.writeString(DOC, doc.substring(0, begin + OptionDocs.BEGIN.length()) + generated + doc.substring(end),
          StandardCharsets.UTF_8);
      return;
    }
    assertThat(committed)
        .as("the option tables in %s (regenerate: mvn -q -pl server test -Dtest=ConfigurationDocTest"
            + " -Dkeel.docs.write=true)", DOC)
        .isEqualTo(generated);
  }

  @Test
  void sampleConfigFile_isValidAsWritten_andBindsLoopback() throws IOException {
    Path sample = dev.keel.testing.DocBlocks.write("configuration.md", "sample:keel.yml",
        Files.createTempDirectory("keel-doc-").resolve("keel.yml"));
    dev.keel.config.KeelConfig.Builder b = PubSubServer.config();
    dev.keel.config.ConfigFile.applyTo(b, sample);
    dev.keel.config.KeelConfig c = b.build(); // throws naming what is wrong
    assertThat(c.get(dev.keel.config.CoreOptions.HOST)).as("the sample's host").isEqualTo("127.0.0.1");
    assertThat(c.get(dev.keel.config.CoreOptions.ALLOWED_ORIGINS)).as("a list read from the sample")
        .containsExactly("https://app.example.com");
  }
}
