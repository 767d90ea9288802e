package org.backchannel.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the numbers were measured on, read from the JVM and /proc. */
final class Machine {
  private Machine() {}

  static ObjectNode describe() {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpu_model", procLine("/proc/cpuinfo", "model name"));
    m.put("memory", procLine("/proc/meminfo", "MemTotal"));
    m.put(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576);
    m.put("loadavg_start", loadavg());
    return m;
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A {@code /proc/<pid>/status} memory line (VmRSS, VmHWM) in MB, or -1. */
  static double rssMb(long pid, String field) {
    String v = procLine("/proc/" + pid + "/status", field);
    if (v.isEmpty()) {
      return -1;
    }
    return Long.parseLong(v.replace("kB", "").strip()) / 1024.0;
  }

  /**
   * CPU seconds used so far by this JVM and every process it started (the embedded PostgreSQL):
   * less sensitive than wall time to other work on a shared machine.
   */
  static double cpuSeconds() {
    long ticks = ticks(ProcessHandle.current().pid());
    for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
      ticks += ticks(p.pid());
    }
    return ticks / 100.0; // USER_HZ
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // utime, stime, cutime, cstime (fields 14-17; f[0] is field 3)
      return Long.parseLong(f[11])
          + Long.parseLong(f[12])
          + Long.parseLong(f[13])
          + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static String procLine(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "";
  }
}
