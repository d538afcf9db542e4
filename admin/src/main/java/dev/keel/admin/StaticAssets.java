package dev.keel.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's files, read once from the classpath: our own page and script, and uPlot from its
 * WebJar (whose version is read from the WebJar's own pom.properties, so the pom is the one place
 * that names it). Nothing is fetched from the network, at build or run time.
 */
final class StaticAssets {
  record Asset(String contentType, byte[] bytes) {}

  private final Map<String, Asset> byPath;

  StaticAssets() {
    String uplot = "META-INF/resources/webjars/uplot/" + webjarVersion("org.webjars.npm", "uplot") + "/dist/";
    byPath = Map.of(
        "/", load("dev/keel/admin/dashboard/index.html", "text/html; charset=utf-8"),
        "/dashboard.js", load("dev/keel/admin/dashboard/dashboard.js", "text/javascript; charset=utf-8"),
        "/dashboard.css", load("dev/keel/admin/dashboard/dashboard.css", "text/css; charset=utf-8"),
        "/uplot.min.js", load(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        "/uplot.min.css", load(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
  }

  /** The asset at {@code path}, or null. */
  Asset get(String path) {
    return byPath.get(path);
  }

  private static Asset load(String resource, String contentType) {
    try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing from the classpath: " + resource);
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String webjarVersion(String group, String artifact) {
    String props = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(props)) {
      if (in == null) {
        throw new IllegalStateException("missing from the classpath: " + props);
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
