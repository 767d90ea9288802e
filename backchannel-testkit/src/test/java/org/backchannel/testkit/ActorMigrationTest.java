package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;

/**
 * {@code V8} keeps the person of every delivery made before it: Flock's {@code u:42} and the
 * others' {@code 42} both become user id 42.
 */
class ActorMigrationTest {
  @Test
  void onSqlite() throws Exception {
    String url = "jdbc:sqlite:" + Files.createTempDirectory("backchannel-v8-").resolve("store.db");
    check(url, "sqlite");
  }

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.postgresUrl(), "postgresql");
  }

  private static void check(String url, String kind) throws Exception {
    OlderSchema.migratedTo(url, kind, "7");
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO deliveries (workspace_id, app_id, message_id, contract, event, method,"
                  + " url, actor_id, interactive, state, created_at, updated_at)"
                  + " VALUES (1, 1, ?, 'FLOCK', 'e', 'POST', 'https://a.test/', ?, ?,"
                  + " 'SUCCEEDED', 0, 0)")) {
        String[][] rows = {{"m1", "u:42"}, {"m2", "7"}, {"m3", null}};
        for (String[] row : rows) {
          insert.setString(1, row[0]);
          insert.setString(2, row[1]);
          insert.setBoolean(3, true);
          insert.executeUpdate();
        }
      }
    }
    try (JdbcStore store = JdbcStore.open(url)) {
      java.util.List<Long> actors =
          store.read(
              tx -> {
                DeliveryStore d = tx.store(DeliveryStore.class);
                return java.util.Arrays.asList(
                    d.delivery(1).orElseThrow().actorUserId(),
                    d.delivery(2).orElseThrow().actorUserId(),
                    d.delivery(3).orElseThrow().actorUserId());
              });
      assertThat(actors).containsExactly(42L, 7L, null);
    }
  }
}
