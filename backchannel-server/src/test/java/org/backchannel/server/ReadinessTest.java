package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.security.SecretBox;
import org.backchannel.store.JdbcStore;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} against real servers on real stores: 503 while starting, 200 once started, 503
 * when the schema under it is older than the build's or the store does not answer, and 503 through
 * a graceful stop's {@code shutdown_delay}, while everything else is still served. {@code /healthz}
 * answers 200 all along.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ReadinessTest {
  @TempDir Path dir;

  /** Every client the test used; their exchanges must fit the OpenAPI document. */
  private final List<Http> clients = new ArrayList<>();

  @AfterEach
  void exchangesFitTheOpenApiDocument() {
    clients.forEach(c -> OpenApiCheck.get().assertFits(c.exchanges()));
  }

  private Http client(int port) {
    Http http = new Http(URI.create("http://127.0.0.1:" + port));
    clients.add(http);
    return http;
  }

  private static Config config(Map<String, String> more) {
    Map<String, String> settings = Config.defaults();
    settings.put("port", "0");
    settings.put("secret_key", SecretBox.newKey());
    settings.putAll(more);
    return Config.from(settings);
  }

  @Test
  void notReadyWhileStartingAndReadyOnceStarted() {
    List<Http.Answer> whileStarting = new ArrayList<>();
    try (JdbcStore store = TestDatabases.sqlite();
        BackchannelServer server =
            BackchannelServer.start(
                config(Map.of()),
                store,
                Clock.systemUTC(),
                port -> {
                  Http http = client(port);
                  whileStarting.add(http.get("/readyz", null));
                  whileStarting.add(http.get("/healthz", null));
                })) {
      assertThat(whileStarting.get(0).status()).isEqualTo(503);
      assertThat(whileStarting.get(0).json().get("status").asText()).isEqualTo("starting");
      assertThat(whileStarting.get(0).json().get("message").asText())
          .isEqualTo("the server is starting");
      assertThat(whileStarting.get(1).status()).as("alive while starting").isEqualTo(200);

      Http.Answer ready = client(server.port()).get("/readyz", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().get("status").asText()).isEqualTo("ready");
      assertThat(ready.json().get("store").asText()).isEqualTo("sqlite");
      assertThat(ready.json().has("message")).isFalse();
    }
  }

  @Test
  void sqliteNotReadyWhileTheSchemaIsOlderThanTheBuilds() throws Exception {
    notReadyWhileTheSchemaIsOlderThanTheBuilds("jdbc:sqlite:" + dir.resolve("store.db"));
  }

  @Test
  void postgresNotReadyWhileTheSchemaIsOlderThanTheBuilds() throws Exception {
    notReadyWhileTheSchemaIsOlderThanTheBuilds(TestDatabases.postgresUrl());
  }

  /**
   * The newest migration marked failed under a running server, as if an older database had been put
   * under it: not ready, saying why, until it is back.
   */
  private void notReadyWhileTheSchemaIsOlderThanTheBuilds(String url) throws Exception {
    try (JdbcStore store = JdbcStore.open(url);
        BackchannelServer server =
            BackchannelServer.start(config(Map.of()), store, Clock.systemUTC());
        Connection db = DriverManager.getConnection(url)) {
      Http http = client(server.port());
      assertThat(http.get("/readyz", null).status()).isEqualTo(200);

      newestMigrationSucceeded(db, false);
      Http.Answer older = http.get("/readyz", null);
      assertThat(older.status()).isEqualTo(503);
      assertThat(older.json().get("status").asText()).isEqualTo("unready");
      assertThat(older.json().get("message").asText())
          .startsWith("the schema is at version ")
          .contains("this build needs");
      assertThat(http.get("/healthz", null).status()).isEqualTo(200);

      newestMigrationSucceeded(db, true);
      assertThat(http.get("/readyz", null).status()).isEqualTo(200);
    }
  }

  private static void newestMigrationSucceeded(Connection db, boolean succeeded) throws Exception {
    try (PreparedStatement s =
        db.prepareStatement(
            "UPDATE flyway_schema_history SET success = ? WHERE installed_rank ="
                + " (SELECT max(installed_rank) FROM flyway_schema_history)")) {
      s.setBoolean(1, succeeded);
      assertThat(s.executeUpdate()).isOne();
    }
  }

  @Test
  void aStoreThatDoesNotAnswerSaysSo() {
    JdbcStore store = TestDatabases.sqlite();
    assertThat(store.unready()).isEmpty();
    store.close();
    assertThat(store.unready())
        .hasValueSatisfying(p -> assertThat(p).startsWith("the store does not answer: "));
  }

  /**
   * The real stop, in process: from its start the server answers 503 on /readyz and goes on serving
   * everything else for {@code shutdown_delay}; then (here cut short) it stops listening.
   */
  @Test
  void aStoppingServerIsNotReadyButServesThroughItsShutdownDelay() throws Exception {
    try (JdbcStore store = TestDatabases.sqlite()) {
      BackchannelServer server =
          BackchannelServer.start(
              config(Map.of("shutdown_delay", "10m")), store, Clock.systemUTC());
      int port = server.port();
      Http http = client(port);
      assertThat(http.get("/readyz", null).status()).isEqualTo(200);

      Thread stopping = Thread.ofPlatform().start(server::close);
      Http.Answer answer;
      do {
        answer = http.get("/readyz", null);
      } while (answer.status() == 200);
      assertThat(answer.status()).isEqualTo(503);
      assertThat(answer.json().get("status").asText()).isEqualTo("stopping");
      assertThat(answer.json().get("message").asText()).isEqualTo("the server is stopping");
      assertThat(http.get("/healthz", null).status()).isEqualTo(200);
      assertThat(http.get("/api/v1/openapi.json", null).status()).isEqualTo(200);

      stopping.interrupt(); // the delay is over
      stopping.join();
      assertThatThrownBy(
              () -> new Http(URI.create("http://127.0.0.1:" + port)).get("/healthz", null))
          .as("no longer listening")
          .isInstanceOf(UncheckedIOException.class);
    }
  }

  /**
   * The same through a real process and a real SIGTERM: the load balancer sees 503 on /readyz while
   * the process still answers, for {@code shutdown_delay}.
   */
  @Test
  void aServeProcessGivenSigtermIsNotReadyButStillServes() throws Exception {
    int port = ServeProcess.freePort();
    Path log = dir.resolve("serve.log");
    Process serve =
        ServeProcess.serve(
            Files.createDirectories(dir.resolve("data")),
            port,
            Map.of("BACKCHANNEL_SHUTDOWN_DELAY", "5m"),
            log);
    try {
      ServeProcess.await(port, "/readyz", serve);
      Http http = client(port);
      serve.destroy(); // SIGTERM: the shutdown hook stops the server
      Http.Answer answer;
      do {
        answer = http.get("/readyz", null);
      } while (answer.status() == 200);
      assertThat(answer.status()).as(Files.readString(log)).isEqualTo(503);
      assertThat(answer.json().get("status").asText()).isEqualTo("stopping");
      assertThat(http.get("/healthz", null).status()).isEqualTo(200);
      assertThat(serve.isAlive()).isTrue();
    } finally {
      serve.destroyForcibly();
      serve.waitFor();
    }
  }
}
