package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.backchannel.core.security.SecretBox;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code backup} and {@code restore} as an operator runs them: a backup taken by its own process
 * while {@code serve} runs on the same data directory and delivers a steady stream of events,
 * restored into a new directory, served there: every delivery committed before the backup began is
 * there, none sent after it ended, the admin's token still works, and the app's secret still signs.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class BackupRestoreTest {
  private static final Pattern TOKEN = Pattern.compile("API token \\(shown once\\): (\\S+)");

  @TempDir Path dir;
  RecordingReceiver app;
  final List<Process> processes = new ArrayList<>();
  final List<Http> clients = new ArrayList<>();

  @BeforeEach
  void receiver() {
    app = RecordingReceiver.start().answer(RecordingReceiver.Answer.status(204));
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor();
    }
    app.close();
    clients.forEach(c -> OpenApiCheck.get().assertFits(c.exchanges()));
  }

  @Test
  void aBackupTakenWhileServeDeliversRestoresWithEveryCommittedDeliveryAndWorkingSecrets()
      throws Exception {
    Path first = dir.resolve("first");
    String token = init(first);
    int port = ServeProcess.freePort();
    Process serve = serve(first, port, "first");
    Http http = client(port);
    JsonNode registered = ok(http.post("/api/v1/apps", token, "{\"name\":\"Sink\"}"));
    long appId = registered.get("id").asLong();
    AppSecret secret = AppSecret.of(registered.get("secret").asText());
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            token,
            "{\"url\": \"" + app.url("/events") + "\"}"));

    Path archive = dir.resolve("backchannel-backup.zip");
    long backupEnded;
    List<Published> before;
    int duringBackup;
    try (Publishing publishing = new Publishing(port, token, appId)) {
      for (int i = 0; i < 20; i++) {
        app.take(Duration.ofSeconds(30)); // deliveries are flowing
      }
      publishing.awaitSentAfter(Long.MIN_VALUE, 20);
      before = publishing.published();
      Process backup =
          command(List.of("backup", "--data-dir", first.toString(), "--to", archive.toString()));
      assertThat(backup.waitFor(120, TimeUnit.SECONDS)).isTrue();
      backupEnded = System.nanoTime();
      String printed = Files.readString(dir.resolve("backup.log"));
      assertThat(backup.exitValue()).as(printed).isZero();
      assertThat(printed)
          .contains("written to " + archive)
          .contains("warning: " + archive + " holds the secret key that opens the app secrets");
      duringBackup = publishing.published().size() - before.size();
      publishing.awaitSentAfter(backupEnded, 20);
      for (int i = 0; i < 20; i++) {
        app.take(Duration.ofSeconds(30)); // and go on after it
      }
    }
    assertThat(before).hasSizeGreaterThanOrEqualTo(20);
    assertThat(duringBackup).as("events published while backup ran").isPositive();
    serve.destroy();
    assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();

    String key = Files.readString(first.resolve("secret.key")).strip();
    assertThat(Files.getPosixFilePermissions(archive))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      assertThat(Collections.list(zip.entries()).stream().map(ZipEntry::getName))
          .containsExactlyInAnyOrder("manifest.json", "secret.key", "backchannel.db");
      assertThat(
              new String(
                      zip.getInputStream(zip.getEntry("secret.key")).readAllBytes(),
                      StandardCharsets.US_ASCII)
                  .strip())
          .isEqualTo(key);
    }

    Path second = dir.resolve("second");
    Cli restore = cli("restore", "--from", archive.toString(), "--data-dir", second.toString());
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(restore.out())
        .contains("restored the backup made at ")
        .contains("its secret key is in " + second.resolve("secret.key"));
    assertThat(Files.readString(second.resolve("secret.key")).strip()).isEqualTo(key);
    assertThat(Files.getPosixFilePermissions(second.resolve("secret.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    Cli again = cli("restore", "--from", archive.toString(), "--data-dir", second.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("the data directory " + second + " is not empty");

    int restoredPort = ServeProcess.freePort();
    serve(second, restoredPort, "second");
    Http restored = client(restoredPort);
    Set<Long> there = deliveries(restored, token);
    assertThat(there)
        .as("the deliveries committed before the backup began")
        .containsAll(before.stream().map(Published::delivery).toList());
    List<Long> after =
        publishingLog.stream()
            .filter(p -> p.sentAt() > backupEnded)
            .map(Published::delivery)
            .toList();
    assertThat(after).isNotEmpty();
    assertThat(there)
        .as("the deliveries sent after the backup ended")
        .doesNotContainAnyElementsOf(after);
    System.out.printf(
        "backup while serving: %d events published before it began, %d while it ran, %d after;"
            + " the restored store holds %d deliveries%n",
        before.size(),
        duringBackup,
        publishingLog.size() - before.size() - duringBackup,
        there.size());
    assertThat(ok(restored.get("/api/v1/apps/" + appId, token)).get("name").asText())
        .isEqualTo("Sink");

    ok(
        restored.post(
            "/api/v1/apps/" + appId + "/events",
            token,
            "{\"type\": \"after.restore\", \"data\": {\"n\": -1}}"));
    RecordingReceiver.Recorded fromRestored = app.take(Duration.ofSeconds(30));
    while (!fromRestored.bodyText().contains("after.restore")) {
      fromRestored = app.take(Duration.ofSeconds(30));
    }
    for (RecordingReceiver.Recorded r : app.requests()) {
      StandardWebhooks.verify(
          r::header, r.body(), List.of(secret), Instant.now(), Duration.ofMinutes(5));
    }
  }

  @Test
  void backupRefusesPostgresqlAndPointsAtPgDump() throws Exception {
    Path settings = dir.resolve("backchannel.properties");
    Files.writeString(settings, "secret_key=" + SecretBox.newKey() + "\n");
    Cli backup =
        cli(
            "backup",
            "--config",
            settings.toString(),
            "--db",
            "jdbc:postgresql://127.0.0.1:1/backchannel",
            "--to",
            dir.resolve("b.zip").toString());
    assertThat(backup.code()).isEqualTo(2);
    assertThat(backup.err()).contains("uses PostgreSQL").contains("pg_dump");
    assertThat(dir.resolve("b.zip")).doesNotExist();
  }

  @Test
  void backupRefusesAnExistingFileAndADataDirectoryWithoutAStore() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Cli none =
        cli("backup", "--data-dir", empty.toString(), "--to", dir.resolve("x.zip").toString());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("there is no secret key");

    Files.writeString(empty.resolve("secret.key"), SecretBox.newKey() + "\n");
    none = cli("backup", "--data-dir", empty.toString(), "--to", dir.resolve("x.zip").toString());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("there is no store at " + empty.resolve("backchannel.db"));

    Path taken = Files.writeString(dir.resolve("taken.zip"), "mine");
    Cli exists = cli("backup", "--data-dir", empty.toString(), "--to", taken.toString());
    assertThat(exists.code()).isEqualTo(2);
    assertThat(exists.err()).contains(taken + " already exists");
    assertThat(Files.readString(taken)).isEqualTo("mine");
  }

  @Test
  void restoreRefusesWhatIsNotABackupAndLeavesNothingBehind() throws Exception {
    Path notABackup = Files.writeString(dir.resolve("notes.zip"), "not a zip");
    Path target = dir.resolve("target");
    Cli restore = cli("restore", "--from", notABackup.toString(), "--data-dir", target.toString());
    assertThat(restore.code()).isEqualTo(2);
    assertThat(restore.err()).contains("is not a Backchannel backup");
    assertThat(target)
        .satisfiesAnyOf(t -> assertThat(t).doesNotExist(), t -> assertThat(t).isEmptyDirectory());
  }

  // -- helpers

  /** One published event: its delivery, and when its request was sent (nanoTime). */
  record Published(long delivery, long sentAt) {}

  /** Every event any {@link Publishing} published, in order. */
  final List<Published> publishingLog = Collections.synchronizedList(new ArrayList<>());

  /** Publishes events one after another, on a thread of its own, until closed. */
  final class Publishing implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stopped;

    Publishing(int port, String token, long appId) {
      Http http = new Http(URI.create("http://127.0.0.1:" + port));
      thread =
          Thread.ofPlatform()
              .name("publishing")
              .start(
                  () -> {
                    for (int n = 0; !stopped; n++) {
                      long sentAt = System.nanoTime();
                      Http.Answer answer =
                          http.post(
                              "/api/v1/apps/" + appId + "/events",
                              token,
                              "{\"type\": \"load.test\", \"data\": {\"n\": " + n + "}}");
                      assertThat(answer.status()).as(answer.text()).isEqualTo(202);
                      long delivery = answer.json().get("deliveries").get(0).get("id").asLong();
                      publishingLog.add(new Published(delivery, sentAt));
                    }
                  });
    }

    List<Published> published() {
      synchronized (publishingLog) {
        return List.copyOf(publishingLog);
      }
    }

    /** Waits until {@code count} events sent after {@code since} (nanoTime) were published. */
    void awaitSentAfter(long since, int count) throws InterruptedException {
      while (thread.isAlive()
          && published().stream().filter(p -> p.sentAt() > since).count() < count) {
        thread.join(10);
      }
      assertThat(thread.isAlive()).as("still publishing").isTrue();
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      thread.join();
    }
  }

  /** {@code init} on {@code data}; returns the admin's token. */
  private static String init(Path data) {
    Cli init =
        cli(
            "init",
            "--data-dir",
            data.toString(),
            "--workspace",
            "Acme",
            "--name",
            "Ada",
            "--email",
            "ada@example.com");
    assertThat(init.code()).as(init.err()).isZero();
    Matcher m = TOKEN.matcher(init.out());
    assertThat(m.find()).as(init.out()).isTrue();
    return m.group(1);
  }

  private Process serve(Path data, int port, String name) throws Exception {
    Process serve = ServeProcess.serve(data, port, Map.of(), dir.resolve(name + ".log"));
    processes.add(serve);
    ServeProcess.await(port, "/readyz", serve);
    return serve;
  }

  /** {@code backchannel <args>} in a process of its own, its output in {@code <command>.log}. */
  private Process command(List<String> args) throws Exception {
    Process p = ServeProcess.command(args, Map.of(), dir.resolve(args.get(0) + ".log"));
    processes.add(p);
    return p;
  }

  /** The ids of every delivery on the server, read page by page. */
  private static Set<Long> deliveries(Http http, String token) {
    Set<Long> ids = new HashSet<>();
    String page = "/api/v1/deliveries?limit=200";
    while (page != null) {
      JsonNode answer = ok(http.get(page, token));
      answer.get("items").forEach(d -> ids.add(d.get("id").asLong()));
      page =
          answer.get("next").isNull()
              ? null
              : "/api/v1/deliveries?limit=200&before=" + answer.get("next").asLong();
    }
    return ids;
  }

  record Cli(int code, String out, String err) {}

  /** Runs a command in this process, through the command line's own entry point. */
  private static Cli cli(String... args) {
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setErr(new PrintWriter(err, true));
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      int code = line.execute(args);
      return new Cli(code, printed.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(out);
    }
  }

  private Http client(int port) {
    Http http = new Http(URI.create("http://127.0.0.1:" + port));
    clients.add(http);
    return http;
  }

  private static JsonNode ok(Http.Answer answer) {
    assertThat(answer.status()).as(answer.text()).isBetween(200, 299);
    return answer.json();
  }
}
