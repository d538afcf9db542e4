package dev.keel.serve;

import static dev.keel.config.OptionSet.group;

import dev.keel.config.Option;
import dev.keel.config.OptionSet;
import java.util.List;

/** The options of {@code keel serve} itself (beyond core, admin and cluster), declared once. */
public final class ServeOptions {
  private ServeOptions() {}

  public static final Option<String> API_KEY = Option.text("api-key", "SECRET", null)
      .optional()
      .secret("KEEL_API_KEY")
      .check(v -> v.length() >= 16 ? null : "must be at least 16 characters (or unset)")
      .describe("When set, POST /api/publish needs 'Authorization: Bearer KEY' (else 401); also $KEEL_API_KEY.")
      .details("When set, `POST /api/publish` needs `Authorization: Bearer KEY` (401 otherwise, compared in constant time). Also `$KEEL_API_KEY`.")
      .valid("at least 16 characters");

  public static final OptionSet SET = OptionSet.of("Serve", List.of(group("HTTP publish", API_KEY)), List.of());
}
