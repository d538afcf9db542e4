package dev.keel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Code blocks of the docs that tests run as they are written: the block right after a marker line
 * {@code <!-- NAME -->} in a Markdown file under docs/. A doc change that breaks one fails its test.
 *
 * <p>Usage: {@code String cfg = DocBlocks.block("deployment.md", "config:haproxy.cfg");}
 */
public final class DocBlocks {
  /** The docs directory, from a module's directory (where the tests run). */
  public static final Path DOCS = Path.of("..", "docs");

  private DocBlocks() {}

  /** The text of the fenced block after {@code <!-- marker -->} in {@code docs/file}, ending with a newline. */
  public static String block(String file, String marker) {
    Path doc = DOCS.resolve(file);
    String text;
    try {
      text = Files.readString(doc, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String tag = "<!-- " + marker + " -->";
    int at = text.indexOf(tag);
    if (at < 0) {
      throw new IllegalStateException(doc + " has no " + tag);
    }
    int open = text.indexOf("```", at);
    int bodyStart = text.indexOf('\n', open) + 1;
    int close = text.indexOf("\n```", bodyStart);
    if (open < 0 || bodyStart <= 0 || close < 0) {
      throw new IllegalStateException(doc + ": no fenced block after " + tag);
    }
    String between = text.substring(at + tag.length(), open);
    if (!between.isBlank()) {
      throw new IllegalStateException(doc + ": text between " + tag + " and its block: " + between.trim());
    }
    return text.substring(bodyStart, close + 1);
  }

  /** {@link #block} written to {@code target}. */
  public static Path write(String file, String marker, Path target) {
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      return Files.writeString(target, block(file, marker), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
