package org.backchannel.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real {@code backchannel serve} process on a database, for the crash and scale-out tests. */
final class ServeProcess {
  private ServeProcess() {}

  /**
   * Starts {@code serve --dev} on {@code dbUrl} and {@code port} (0 picks one) with the test's own
   * JDK and class path, the given secret key and further settings, its output in {@code log}.
   */
  static Process start(String dbUrl, String key, int port, Map<String, String> env, Path log)
      throws IOException {
    Files.createDirectories(log.getParent());
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            "--port",
            Integer.toString(port),
            "--dev",
            "--db",
            dbUrl);
    pb.environment().put("BACKCHANNEL_SECRET_KEY", key);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }
}
