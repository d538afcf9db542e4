package dev.keel.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a YAML config file whose keys are the option keys ({@code ws-port: 8080},
 * {@code idle-timeout: 60s}). Unknown keys are an error, so a typo cannot silently leave a default.
 *
 * <p>Usage: {@code ConfigFile.applyTo(builder, Path.of("keel.yml"));}
 */
public final class ConfigFile {
  private ConfigFile() {}

  public static void applyTo(KeelConfig.Builder builder, Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("config file " + file + " must be a map of option: value");
    }
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      Option<?> option;
      try {
        option = builder.option(e.getKey());
      } catch (IllegalArgumentException unknown) {
        throw new IllegalArgumentException("config file " + file + ": " + unknown.getMessage(), unknown);
      }
      JsonNode v = e.getValue();
      String text;
      if (v.isArray()) { // a YAML list for a list option: allowed-origins: [a, b]
        StringBuilder joined = new StringBuilder();
        for (JsonNode item : v) {
          if (!item.isValueNode()) {
            throw new IllegalArgumentException("config file " + file + ": " + e.getKey() + " must be a list of values");
          }
          joined.append(joined.length() == 0 ? "" : ",").append(item.asText());
        }
        text = joined.toString();
      } else if (v.isBoolean() && !"BOOLEAN".equals(option.label())) {
        text = v.booleanValue() ? "on" : "off"; // YAML 1.1 reads a bare off (tcp-port: off) as false
      } else if (v.isValueNode()) {
        text = v.isNull() ? "none" : v.asText();
      } else {
        throw new IllegalArgumentException(
            "config file " + file + ": " + e.getKey() + " must be a single value");
      }
      try {
        builder.parse(option, text);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("config file " + file + ": " + bad.getMessage(), bad);
      }
    }
  }
}
