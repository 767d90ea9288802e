package org.backchannel.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Real {@code backchannel} processes (serve, and the commands), for the tests that need them. */
final class ServeProcess {
  private ServeProcess() {}

  /**
   * Starts {@code serve --dev} on {@code dbUrl} and {@code port} (0 picks one) with the test's own
   * JDK and class path, the given secret key and further settings, its output in {@code log}.
   */
  static Process start(String dbUrl, String key, int port, Map<String, String> env, Path log)
      throws IOException {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("BACKCHANNEL_SECRET_KEY", key);
    return command(
        List.of("serve", "--port", Integer.toString(port), "--dev", "--db", dbUrl), all, log);
  }

  /** Starts {@code serve --dev} on the embedded store in {@code dataDir}. */
  static Process serve(Path dataDir, int port, Map<String, String> env, Path log)
      throws IOException {
    return command(
        List.of(
            "serve", "--port", Integer.toString(port), "--dev", "--data-dir", dataDir.toString()),
        env,
        log);
  }

  /**
   * Starts {@code backchannel <args>} with the test's own JDK and class path, with no settings from
   * the test's environment but {@code env}, its output and errors in {@code log}.
   */
  static Process command(List<String> args, Map<String, String> env, Path log) throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("BACKCHANNEL_"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Polls {@code path} until it answers 200 (the process may not listen yet); returns nanoTime. */
  static long await(int port, String path, Process process) throws Exception {
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (HttpClient http = HttpClient.newHttpClient()) {
      while (System.nanoTime() < deadline && (process == null || process.isAlive())) {
        try {
          if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return System.nanoTime();
          }
        } catch (IOException notListeningYet) {
          // as for any other answer: look again shortly
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("port " + port + " did not answer 200 on " + path + " in time");
  }
}
