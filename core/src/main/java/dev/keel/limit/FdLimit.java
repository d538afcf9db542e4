package dev.keel.limit;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** The process's file-descriptor limit ({@code ulimit -n}), where the JDK can tell it. */
public final class FdLimit {
  private FdLimit() {}

  /** The limit, or -1 where there is none to read (not a Unix). */
  public static long current() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }
}
