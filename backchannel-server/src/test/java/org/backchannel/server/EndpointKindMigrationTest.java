package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.backchannel.core.Json;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.EventToken;
import org.backchannel.sdk.Events;
import org.backchannel.store.JdbcStore;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.SettableClock;
import org.backchannel.testkit.TestDatabases;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * {@code V11} fixes a store written by earlier versions, where the app's Flock listener URL was an
 * endpoint subscribed to every native event: the rows are written as those versions wrote them,
 * then a server started on the store (which migrates it) is used over HTTP with a real receiver.
 * The listener, current and former, gets no native event any more, the native event that was
 * waiting for it is failed and cannot be replayed, and it still gets the app's Flock events.
 */
class EndpointKindMigrationTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final long T0 = NOW.minusSeconds(3600).toEpochMilli();

  @Test
  void onSqlite() throws Exception {
    check(
        "jdbc:sqlite:"
            + Files.createTempDirectory("backchannel-v11-").resolve("store.db").toAbsolutePath());
  }

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.postgresUrl());
  }

  /** What an earlier version left: ids of the rows the checks look at. */
  record Legacy(long waitingNative, long failedNative, long waitingFlock) {}

  private static void check(String url) throws Exception {
    String kind = url.startsWith("jdbc:sqlite:") ? "sqlite" : "postgresql";
    // The schema just before V11, whether or not V10 is there yet ("?": no need that it is).
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration/" + kind)
        .target("10?")
        .load()
        .migrate();
    String key = SecretBox.newKey();
    String adminToken = Tokens.newApiToken();
    AppSecret secret = AppSecret.generate();
    try (RecordingReceiver app = RecordingReceiver.start()) {
      Legacy legacy = writeLegacy(url, key, adminToken, secret, app);
      Map<String, String> settings = Config.defaults();
      settings.put("port", "0");
      settings.put("dev", "true");
      settings.put("secret_key", key);
      settings.put("worker", "false");
      try (JdbcStore store = JdbcStore.open(url);
          BackchannelServer server =
              BackchannelServer.start(Config.from(settings), store, new SettableClock(NOW))) {
        Http http = new Http(server.url());
        verify(http, server, adminToken, secret, app, legacy);
        OpenApiCheck.get().assertFits(http.exchanges());
      }
    }
  }

  private static void verify(
      Http http,
      BackchannelServer server,
      String admin,
      AppSecret secret,
      RecordingReceiver app,
      Legacy legacy) {
    JsonNode endpoints = ok(http.get("/api/v1/endpoints", admin));
    assertThat(kindAt(endpoints, app.url("/events"))).isEqualTo("flock_listener");
    assertThat(kindAt(endpoints, app.url("/old-events"))).isEqualTo("flock_listener");
    assertThat(kindAt(endpoints, app.url("/native"))).isEqualTo("webhook");
    assertThat(kindAt(endpoints, app.url("/second/events"))).isEqualTo("flock_listener");
    assertThat(endpoints).hasSize(4);

    JsonNode waiting = ok(http.get("/api/v1/deliveries/" + legacy.waitingNative(), admin));
    assertThat(waiting.get("state").asText()).isEqualTo("failed");
    assertThat(waiting.get("summary").asText()).contains("never goes to a Flock event listener");
    JsonNode stray = ok(http.get("/api/v1/deliveries/" + legacy.waitingFlock(), admin));
    assertThat(stray.get("state").asText()).isEqualTo("failed");
    assertThat(stray.get("summary").asText()).contains("no longer the app's Flock event listener");
    assertThat(server.backchannel().worker().drain()).isZero();
    assertThat(app.requests()).isEmpty();
    Http.Answer replay =
        http.send("POST", "/api/v1/deliveries/" + legacy.failedNative() + "/replay", admin);
    assertThat(replay.status()).isEqualTo(409);
    long listener = idAt(endpoints, app.url("/events"));
    assertThat(
            ok(http.send("POST", "/api/v1/endpoints/" + listener + "/replay", admin))
                .get("replayed")
                .asInt())
        .isZero();

    JsonNode published =
        ok(http.post("/api/v1/apps/1/events", admin, "{\"type\":\"invoice.paid\",\"data\":{}}"));
    assertThat(published.get("deliveries")).hasSize(1);
    ok(http.post("/api/v1/platform/apps/1/install", admin, ""));
    ok(http.post("/api/v1/platform/apps/1/bot/messages", admin, "{\"text\":\"hi\"}"));
    while (server.backchannel().worker().drain() > 0) {}

    List<RecordingReceiver.Recorded> got = app.requests();
    assertThat(got.stream().map(RecordingReceiver.Recorded::path))
        .containsExactlyInAnyOrder("/native", "/events", "/events");
    for (RecordingReceiver.Recorded r : got) {
      if (r.path().equals("/events")) {
        Events.verify(List.of(secret), r.header(EventToken.HEADER), r.body(), NOW);
      } else {
        assertThat(Json.read(r.bodyText()).get("type").asText()).isEqualTo("invoice.paid");
        assertThat(r.header(EventToken.HEADER)).isNull();
      }
    }
    // The second app's listener had no endpoint yet; it has one now, so it cannot be taken.
    assertThat(
            http.post(
                    "/api/v1/apps/2/endpoints",
                    admin,
                    "{\"url\":\"" + app.url("/second/events") + "\"}")
                .status())
        .isEqualTo(409);
  }

  /**
   * The rows an earlier version wrote, all subscribed to every native event: app 1's former
   * listener {@code /old-events}, made by its first Flock event; {@code /native}, made for native
   * events, which was the listener for a while and still has a Flock event waiting; its listener
   * {@code /events}, an endpoint first added for native events, with a native event waiting for it
   * and one that failed there; and app 2, whose listener no event has reached.
   */
  private static Legacy writeLegacy(
      String url, String key, String adminToken, AppSecret secret, RecordingReceiver app)
      throws Exception {
    SecretBox box = new SecretBox(Base64.getDecoder().decode(key));
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO workspaces (name, created_at) VALUES ('Acme', " + T0 + ")");
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO users (workspace_id, name, email, role, token_hash, created_at)"
                  + " VALUES (1, 'Ada', 'ada@example.com', 'ADMIN', ?, ?)")) {
        p.setString(1, Tokens.hash(adminToken));
        p.setLong(2, T0);
        p.executeUpdate();
      }
      for (String[] a : new String[][] {{"Todo", "todo"}, {"Second", "second"}}) {
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO apps (workspace_id, name, client_id, secret_ciphertext, created_at)"
                    + " VALUES (1, ?, ?, ?, ?)")) {
          p.setString(1, a[0]);
          p.setString(2, a[1]);
          p.setString(3, box.seal(secret.value()));
          p.setLong(4, T0);
          p.executeUpdate();
        }
      }
      platform(c, 1, app.url("/events").toString());
      platform(c, 2, app.url("/second/events").toString());
      long old = endpoint(c, app.url("/old-events").toString(), T0);
      long natives = endpoint(c, app.url("/native").toString(), T0 + 1000);
      long events = endpoint(c, app.url("/events").toString(), T0 + 2000);
      // The former listener was made by the Flock event that first went there; the listener's
      // endpoint was added for native events and then named as the listener.
      delivery(c, "FLOCK", "app.uninstall", old, "SUCCEEDED", T0);
      long flock = delivery(c, "FLOCK", "client.pressButton", natives, "PENDING", T0 + 1500);
      delivery(c, "FLOCK", "app.uninstall", events, "SUCCEEDED", T0 + 2500);
      delivery(c, "NATIVE", "invoice.paid", natives, "SUCCEEDED", T0 + 3000);
      long failed = delivery(c, "NATIVE", "invoice.paid", events, "FAILED", T0 + 3000);
      long waiting = delivery(c, "NATIVE", "invoice.paid", events, "PENDING", T0 + 4000);
      delivery(c, "NATIVE", "invoice.paid", natives, "SUCCEEDED", T0 + 4000);
      return new Legacy(waiting, failed, flock);
    }
  }

  private static void platform(Connection c, long appId, String listener) throws Exception {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO app_platform (app_id, event_listener_url, url_patterns, controls,"
                + " updated_at) VALUES (?, ?, '[]', '[]', ?)")) {
      p.setLong(1, appId);
      p.setString(2, listener);
      p.setLong(3, T0);
      p.executeUpdate();
    }
  }

  private static long endpoint(Connection c, String url, long at) throws Exception {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO endpoints (workspace_id, app_id, url, created_at, updated_at)"
                + " VALUES (1, 1, ?, ?, ?) RETURNING id")) {
      p.setString(1, url);
      p.setLong(2, at);
      p.setLong(3, at);
      return one(p);
    }
  }

  private static long delivery(
      Connection c, String contract, String event, long endpoint, String state, long at)
      throws Exception {
    String url;
    try (PreparedStatement p = c.prepareStatement("SELECT url FROM endpoints WHERE id = ?")) {
      p.setLong(1, endpoint);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        url = rs.getString(1);
      }
    }
    long id;
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO deliveries (workspace_id, app_id, message_id, contract, event, method,"
                + " url, interactive, state, attempt_count, next_attempt_at, created_at,"
                + " updated_at, summary, endpoint_id, actor_user_id)"
                + " VALUES (1, 1, ?, ?, ?, 'POST', ?, ?, ?, 0, ?, ?, ?, NULL, ?, ?) RETURNING id")) {
      p.setString(1, "msg_" + Tokens.hex(12));
      p.setString(2, contract);
      p.setString(3, event);
      p.setString(4, url);
      p.setBoolean(5, false);
      p.setString(6, state);
      if (state.equals("PENDING")) {
        p.setLong(7, at);
      } else {
        p.setNull(7, java.sql.Types.BIGINT);
      }
      p.setLong(8, at);
      p.setLong(9, at);
      p.setLong(10, endpoint);
      if (contract.equals("FLOCK")) {
        p.setLong(11, 1);
      } else {
        p.setNull(11, java.sql.Types.BIGINT);
      }
      id = one(p);
    }
    String body =
        contract.equals("FLOCK")
            ? "{\"name\":\"" + event + "\",\"userId\":\"u:1\"}"
            : "{\"type\":\"" + event + "\",\"timestamp\":\"2026-11-23T09:00:00Z\",\"data\":{}}";
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO delivery_bodies (delivery_id, body) VALUES (?, ?)")) {
      p.setLong(1, id);
      p.setBytes(2, body.getBytes(StandardCharsets.UTF_8));
      p.executeUpdate();
    }
    return id;
  }

  private static long one(PreparedStatement p) throws Exception {
    try (ResultSet rs = p.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static JsonNode ok(Http.Answer answer) {
    return ServerFixture.ok(answer);
  }

  private static JsonNode at(JsonNode endpoints, java.net.URI url) {
    return StreamSupport.stream(endpoints.spliterator(), false)
        .filter(e -> e.get("url").asText().equals(url.toString()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no endpoint at " + url + " in " + endpoints));
  }

  private static String kindAt(JsonNode endpoints, java.net.URI url) {
    return at(endpoints, url).get("kind").asText();
  }

  private static long idAt(JsonNode endpoints, java.net.URI url) {
    return at(endpoints, url).get("id").asLong();
  }
}
