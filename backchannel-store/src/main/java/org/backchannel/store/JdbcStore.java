package org.backchannel.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;

/**
 * The store on SQLite (one node, a file) or PostgreSQL (many nodes), chosen by the JDBC URL. {@link
 * #open} migrates the schema before it returns.
 */
public final class JdbcStore implements Store {
  private final Dialect dialect;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private JdbcStore(Dialect dialect, HikariDataSource dataSource) {
    this.dialect = dialect;
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
  }

  /**
   * Opens a pool on {@code jdbcUrl} ({@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://...}),
   * migrates the schema, and returns the store. Credentials, if any, go in the URL.
   */
  public static JdbcStore open(String jdbcUrl) {
    return open(jdbcUrl, null, null);
  }

  /** Like {@link #open(String)}, with a user and password (used for PostgreSQL). */
  public static JdbcStore open(String jdbcUrl, String user, String password) {
    Dialect dialect = Dialect.of(jdbcUrl);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("backchannel-" + dialect.kind());
    config.setMinimumIdle(1);
    if (dialect == Dialect.SQLITE) {
      createParentDirectories(jdbcUrl);
      config.setMaximumPoolSize(4);
      config.setDataSourceProperties(sqliteConfig().toProperties());
    } else {
      config.setMaximumPoolSize(10);
      if (user != null) {
        config.setUsername(user);
      }
      if (password != null) {
        config.setPassword(password);
      }
    }
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration/" + dialect.kind())
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return new JdbcStore(dialect, dataSource);
  }

  /**
   * WAL so readers never wait for the writer; IMMEDIATE so a transaction takes the write lock when
   * it begins rather than failing to upgrade a read lock later; a busy timeout so contenders wait.
   */
  private static SQLiteConfig sqliteConfig() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    config.enforceForeignKeys(true);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    return config;
  }

  private static void createParentDirectories(String jdbcUrl) {
    String file = jdbcUrl.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    if (query >= 0) {
      file = file.substring(0, query);
    }
    if (file.startsWith("file:")) {
      file = file.substring("file:".length());
    }
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith(":resource:")) {
      return;
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    if (parent != null) {
      try {
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the directory of " + file, e);
      }
    }
  }

  @Override
  public <T> T transaction(Function<Tx, T> work) {
    return jdbi.inTransaction(handle -> work.apply(new JdbcTx(handle, dialect)));
  }

  @Override
  public String kind() {
    return dialect.kind();
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
