package dev.keel.load.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.load.cli.LoadCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs {@code keel load} in this JVM and reads back its exit status, output and JSON summary. */
public record LoadRun(int exit, String out, String err, JsonNode summary, String html) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static LoadRun run(Path dir, String... args) throws IOException {
    Path json = dir.resolve(args[0] + ".json");
    Path html = dir.resolve(args[0] + ".html");
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--json", json.toString(), "--html", html.toString(), "--quiet"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LoadCommand.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    JsonNode summary = Files.exists(json) ? JSON.readTree(json.toFile()) : null;
    String page = Files.exists(html) ? Files.readString(html) : null;
    return new LoadRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), summary, page);
  }

  /** For assertion messages: what the tool printed. */
  public String describe() {
    return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
  }

  public JsonNode results() {
    return summary.path("results");
  }
}
