package org.backchannel.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/** Where a migration test starts: a store at an older schema version, holding one app. */
final class OlderSchema {
  private OlderSchema() {}

  /**
   * Migrates the store at {@code url} ({@code kind}: {@code sqlite} or {@code postgresql}) up to
   * {@code version} only, and adds workspace 1 "Acme" with app 1.
   */
  static void migratedTo(String url, String kind, String version) throws SQLException {
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration/" + kind)
        .target(version)
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO workspaces (name, created_at) VALUES ('Acme', 0)");
      s.execute(
          "INSERT INTO apps (workspace_id, name, client_id, secret_ciphertext, created_at)"
              + " VALUES (1, 'A', 'a', 'sealed', 0)");
    }
  }
}
