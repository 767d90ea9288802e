package org.backchannel.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.sqlite.SQLiteConfig;

/**
 * Copies of the embedded SQLite store for backup and restore. A copy is made with {@code VACUUM
 * INTO} on a connection of its own, which reads one snapshot of the database while the writers of a
 * running {@code serve} go on (WAL), and writes a compact database file holding exactly the
 * transactions committed when the copy began.
 */
public final class SqliteBackup {
  private SqliteBackup() {}

  /**
   * What a copy holds.
   *
   * @param schema the newest migration applied to it
   * @param newestKnown the newest migration this build has
   */
  public record Schema(String schema, String newestKnown) {
    /** Whether a newer Backchannel made it: this build cannot serve it. */
    public boolean newerThanThisBuild() {
      return MigrationVersion.fromVersion(schema)
              .compareTo(MigrationVersion.fromVersion(newestKnown))
          > 0;
    }
  }

  /** The database file a {@code jdbc:sqlite:} URL names. */
  public static Path file(String jdbcUrl) {
    Path file = jdbcUrl.startsWith("jdbc:sqlite:") ? JdbcStore.sqliteFile(jdbcUrl) : null;
    if (file == null) {
      throw new IllegalArgumentException("not a SQLite database file: " + jdbcUrl);
    }
    return file;
  }

  /**
   * Writes a consistent copy of {@code database} to {@code to} (which must not exist, or be empty)
   * and checks it ({@link #check}). Other processes may read and write the database meanwhile.
   */
  public static Schema copy(Path database, Path to) {
    if (!Files.isRegularFile(database)) {
      throw new IllegalArgumentException("there is no store at " + database);
    }
    SQLiteConfig config = new SQLiteConfig();
    // A writer checkpointing or recovering the WAL may hold a lock for a moment: wait for it.
    config.setBusyTimeout(30_000);
    try (Connection c = config.createConnection("jdbc:sqlite:" + database);
        PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
      vacuum.setString(1, to.toString());
      vacuum.execute();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot copy " + database + ": " + e.getMessage(), e);
    }
    return check(to);
  }

  /**
   * Checks that {@code copy} is an intact Backchannel store and says which schema it has; leaves it
   * a single file (rollback journal, not WAL) that moves and archives as it is.
   */
  public static Schema check(Path copy) {
    List<String> versions = new ArrayList<>();
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + copy);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = DELETE");
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        String answer = r.next() ? r.getString(1) : "no answer";
        if (!"ok".equals(answer)) {
          throw new IllegalArgumentException(copy + " is damaged: " + answer);
        }
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
        while (r.next()) {
          versions.add(r.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          copy + " is not a Backchannel store: " + e.getMessage(), e);
    }
    MigrationVersion schema =
        versions.stream()
            .map(MigrationVersion::fromVersion)
            .max(MigrationVersion::compareTo)
            .orElseThrow(() -> new IllegalArgumentException(copy + " has no migrations applied"));
    return new Schema(schema.getVersion(), newestKnown().getVersion());
  }

  /** The newest SQLite migration this build has, read from an empty database in memory. */
  private static MigrationVersion newestKnown() {
    return JdbcStore.newestKnown(
        Flyway.configure()
            .dataSource("jdbc:sqlite::memory:", null, null)
            .locations(JdbcStore.migrations(Dialect.SQLITE))
            .failOnMissingLocations(true)
            .load()
            .info()
            .all());
  }
}
