package org.backchannel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Processes the outside-in mode starts, and their CPU from {@code /proc}: every one is stopped when
 * the run ends, however it ends.
 */
final class Procs {
  private static final List<Process> STARTED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Procs::stopAll, "procs-stop"));
  }

  private Procs() {}

  static synchronized Process start(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    STARTED.add(p);
    return p;
  }

  /** SIGTERM, then SIGKILL after {@code seconds}. */
  static void stop(Process p, int seconds) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (Procs.class) {
      STARTED.remove(p);
    }
  }

  static synchronized void stopAll() {
    for (Process p : List.copyOf(STARTED)) {
      stop(p, 10);
    }
  }

  /**
   * CPU ticks (1/100 s) of a process and its live descendants: the process's own utime+stime plus
   * what its children that have exited used (cutime+cstime, as PostgreSQL's backends that ended),
   * plus each live descendant's utime+stime. 0 for a pid that is gone.
   */
  static long treeTicks(long pid) {
    long[] own = stat(pid);
    long t = own[0] + own[1] + own[2] + own[3];
    for (ProcessHandle d :
        ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
      long[] s = stat(d.pid());
      t += s[0] + s[1];
    }
    return t;
  }

  /** utime, stime, cutime, cstime of one process, in ticks. */
  static long[] stat(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {
        Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])
      };
    } catch (IOException | RuntimeException e) {
      return new long[4];
    }
  }

  static long pidFromFile(Path file) throws IOException {
    return Long.parseLong(Files.readAllLines(file).get(0).strip());
  }
}
