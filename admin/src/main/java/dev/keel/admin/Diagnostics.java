package dev.keel.admin;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The JDK's own profilers behind the debug endpoints: class histogram, thread dump (virtual threads
 * included), flight recording with the old-object sampler. Each call blocks (the JDK does the work
 * synchronously), so the admin handler runs them on a virtual thread, never on an event loop.
 */
final class Diagnostics {
  private static final Pattern HISTO_ROW =
      Pattern.compile("^\\s*(\\d+):\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\((.*)\\))?\\s*$");

  private Diagnostics() {}

  /**
   * The top {@code limit} rows of a histogram of live objects by class ({@code GC.class_histogram},
   * which runs a full GC first so that only live objects count).
   */
  static List<Map<String, Object>> heapHistogram(int limit) throws Exception {
    ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(dcmd, "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTO_ROW.matcher(line);
      if (m.matches() && rows.size() < limit) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rank", Integer.parseInt(m.group(1)));
        row.put("instances", Long.parseLong(m.group(2)));
        row.put("bytes", Long.parseLong(m.group(3)));
        row.put("class", m.group(4));
        row.put("module", m.group(5));
        rows.add(row);
      }
    }
    return rows;
  }

  /** Writes a JSON thread dump, virtual threads included, to a new temporary file. */
  static Path threadDump() throws IOException {
    Path dir = Files.createTempDirectory("keel-threads");
    Path file = dir.resolve("threads.json"); // dumpThreads wants a path that does not exist yet
    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
    return file;
  }

  /**
   * Starts a recording with the {@code profile} settings plus {@code jdk.OldObjectSample} with paths
   * to GC roots (the JDK's leak profiler). The caller stops it with {@link #finish}.
   */
  static Recording startRecording(Duration length) throws IOException, java.text.ParseException {
    Recording r = new Recording(Configuration.getConfiguration("profile"));
    r.setName("keel-debug");
    r.enable("jdk.OldObjectSample").withStackTrace().with("cutoff", "infinity");
    r.setMaxAge(length.plusSeconds(60));
    r.start();
    return r;
  }

  /** Stops the recording and writes it to a new temporary .jfr file. */
  static Path finish(Recording r) throws IOException {
    try {
      r.stop();
      Path file = Files.createTempFile("keel-", ".jfr");
      r.dump(file);
      return file;
    } finally {
      r.close();
    }
  }
}
