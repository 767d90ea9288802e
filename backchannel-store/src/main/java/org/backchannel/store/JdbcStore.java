package org.backchannel.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The store on SQLite (one node, a file) or PostgreSQL (many nodes), chosen by the JDBC URL. {@link
 * #open} migrates the schema before it returns.
 */
public final class JdbcStore implements Store {
  /** The PostgreSQL notification channel for "deliveries became due". */
  static final String CHANNEL = "backchannel_work";

  private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);

  private final Dialect dialect;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  // SQLite: query-only connections for read(), so reads never queue for the write lock.
  private final HikariDataSource readSource;
  private final Jdbi readJdbi;
  // SQLite has one writer at a time. Writers in this process queue here, in order, rather than
  // in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) between retries.
  private final ReentrantLock writeLock;
  // SQLite: the log is copied into the file off the committing thread (see SqliteCheckpoints).
  private final SqliteCheckpoints checkpoints;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Flyway flyway;
  // The newest migration this build has, the schema it needs: found on first use, off start-up.
  private volatile MigrationVersion schema;
  private volatile Thread notifications;
  private volatile boolean closed;

  private JdbcStore(
      Dialect dialect, HikariDataSource dataSource, HikariDataSource readSource, Flyway flyway) {
    this.dialect = dialect;
    this.flyway = flyway;
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    this.readSource = readSource;
    this.readJdbi = readSource == null ? jdbi : Jdbi.create(readSource);
    if (dialect == Dialect.SQLITE) {
      StatementCache statements = new StatementCache();
      jdbi.setStatementBuilderFactory(statements);
      readJdbi.setStatementBuilderFactory(statements);
    }
    this.writeLock = dialect == Dialect.SQLITE ? new ReentrantLock(true) : null;
    this.checkpoints =
        dialect == Dialect.SQLITE ? new SqliteCheckpoints(dataSource, writeLock) : null;
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
      // Writers take turns on the write lock, so one connection is all they can use at once.
      config.setMaximumPoolSize(2);
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
    Flyway flyway;
    try {
      if (dialect == Dialect.SQLITE) {
        incrementalVacuum(dataSource, AUTO_VACUUM_LIMIT);
      }
      flyway =
          Flyway.configure()
              .dataSource(dataSource)
              .locations(migrations(dialect))
              .failOnMissingLocations(true)
              .load();
      flyway.migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return new JdbcStore(
        dialect, dataSource, dialect == Dialect.SQLITE ? sqliteReaders(jdbcUrl) : null, flyway);
  }

  static String migrations(Dialect dialect) {
    return "classpath:db/migration/" + dialect.kind();
  }

  /** The newest migration this build has (applied or not), not one a newer build applied. */
  static MigrationVersion newestKnown(MigrationInfo[] migrations) {
    return Arrays.stream(migrations)
        .filter(m -> m.getVersion() != null && m.getState().isResolved())
        .map(MigrationInfo::getVersion)
        .max(Comparator.naturalOrder())
        .orElse(MigrationVersion.EMPTY);
  }

  /** The newest migration applied to the database the handle is on. */
  static MigrationVersion applied(Handle handle) {
    return handle
        .createQuery(
            "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")
        .mapTo(String.class)
        .stream()
        .map(MigrationVersion::fromVersion)
        .max(Comparator.naturalOrder())
        .orElse(MigrationVersion.EMPTY);
  }

  /** The largest SQLite file that {@link #open} rewrites by itself for incremental vacuum. */
  static final long AUTO_VACUUM_LIMIT = 64L * 1024 * 1024;

  /**
   * Makes an SQLite file one that gives free pages back ({@code auto_vacuum = INCREMENTAL}), which
   * the purge needs to shrink it. The mode only takes effect when the file is made or rewritten
   * ({@code VACUUM}, outside any transaction, needing as much free disk again): new and small files
   * are rewritten here, in a moment; larger ones are left for {@code backchannel migrate --vacuum}
   * with the server stopped, and said so. Returns whether the file now has the mode.
   */
  private static boolean incrementalVacuum(HikariDataSource dataSource, long limit) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      if (pragma(s, "auto_vacuum") == 2) {
        return true;
      }
      long bytes = pragma(s, "page_count") * pragma(s, "page_size");
      if (bytes > limit) {
        LOG.warn(
            "the SQLite file ({} MB) was made before it could give free space back: the purge of"
                + " expired deliveries makes room inside it for new ones, but cannot shrink it."
                + " To let it, stop the server and run `backchannel migrate --vacuum` once (it"
                + " rewrites the file and needs as much free disk again while it does).",
            bytes / (1024 * 1024));
        return false;
      }
      s.execute("PRAGMA auto_vacuum = INCREMENTAL");
      s.execute("VACUUM");
      if (bytes > 64 * 1024) {
        LOG.info("rewrote the SQLite file ({} KB) so that it gives free space back", bytes / 1024);
      }
      return pragma(s, "auto_vacuum") == 2;
    } catch (SQLException e) {
      LOG.warn("could not set the SQLite file to give free space back: {}", e.getMessage());
      return false;
    }
  }

  private static long pragma(Statement s, String name) throws SQLException {
    try (java.sql.ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * SQLite: rewrites the file, whatever its size, so that it gives free space back from now on
   * ({@code backchannel migrate --vacuum}, with the server stopped). Whether it does; PostgreSQL
   * reclaims space by itself, so there it does nothing and answers true.
   */
  public boolean vacuum() {
    if (dialect != Dialect.SQLITE) {
      return true;
    }
    writeLock.lock();
    try {
      return incrementalVacuum(dataSource, Long.MAX_VALUE);
    } finally {
      writeLock.unlock();
    }
  }

  /** Connections that begin DEFERRED and refuse writes: WAL gives each a snapshot of its own. */
  private static HikariDataSource sqliteReaders(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("backchannel-sqlite-read");
    config.setMinimumIdle(1);
    config.setMaximumPoolSize(4);
    SQLiteConfig sqlite = sqliteConfig();
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
    config.setDataSourceProperties(sqlite.toProperties());
    config.setConnectionInitSql("PRAGMA query_only = true");
    // Opened on first use rather than before start-up goes on.
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
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
    // Inserts use RETURNING; otherwise the driver runs SELECT last_insert_rowid() after each one.
    config.setGetGeneratedKeys(false);
    // Commits wait for no checkpoint: SqliteCheckpoints runs them on a thread of its own, and
    // SQLite's own, in the commit, only if that thread falls far behind.
    config.setPragma(
        SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(SqliteCheckpoints.FALLBACK_PAGES));
    return config;
  }

  private static void createParentDirectories(String jdbcUrl) {
    Path file = sqliteFile(jdbcUrl);
    if (file == null) {
      return;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      try {
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the directory of " + file, e);
      }
    }
  }

  /** The file a {@code jdbc:sqlite:} URL names, or null for an in-memory or resource database. */
  static Path sqliteFile(String jdbcUrl) {
    String file = jdbcUrl.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    if (query >= 0) {
      file = file.substring(0, query);
    }
    if (file.startsWith("file:")) {
      file = file.substring("file:".length());
    }
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith(":resource:")) {
      return null;
    }
    return Path.of(file);
  }

  @Override
  public <T> T transaction(Function<Tx, T> work) {
    JdbcTx[] used = new JdbcTx[1];
    T result;
    if (writeLock != null) {
      writeLock.lock();
    }
    try {
      result =
          jdbi.inTransaction(
              handle -> {
                used[0] = new JdbcTx(handle, dialect);
                return work.apply(used[0]);
              });
    } finally {
      if (writeLock != null) {
        writeLock.unlock();
      }
    }
    if (checkpoints != null) {
      checkpoints.committed();
    }
    if (used[0].madeWorkDue()) {
      listeners.forEach(Runnable::run);
    }
    return result;
  }

  @Override
  public <T> T read(Function<Tx, T> work) {
    return readJdbi.inTransaction(
        handle -> {
          if (dialect == Dialect.POSTGRESQL) {
            // The driver then begins the transaction READ ONLY (no statement of its own), so a
            // write in here fails as it does on SQLite's query_only readers.
            try {
              handle.getConnection().setReadOnly(true);
            } catch (java.sql.SQLException e) {
              throw new org.jdbi.v3.core.ConnectionException(e);
            }
          }
          return work.apply(new JdbcTx(handle, dialect));
        });
  }

  @Override
  public AutoCloseable onNewWork(Runnable listener) {
    listeners.add(listener);
    if (dialect == Dialect.POSTGRESQL) {
      startListening();
    }
    return () -> listeners.remove(listener);
  }

  /** One connection LISTENs for other nodes' notifications and wakes this node's listeners. */
  private synchronized void startListening() {
    if (notifications != null) {
      return;
    }
    notifications =
        Thread.ofPlatform()
            .name("backchannel-listen")
            .daemon()
            .start(
                () -> {
                  while (!closed) {
                    try (Connection c = dataSource.getConnection();
                        Statement s = c.createStatement()) {
                      c.setAutoCommit(true);
                      s.execute("LISTEN " + CHANNEL);
                      PGConnection pg = c.unwrap(PGConnection.class);
                      while (!closed) {
                        PGNotification[] got = pg.getNotifications(500);
                        if (got != null && got.length > 0) {
                          listeners.forEach(Runnable::run);
                        }
                      }
                    } catch (SQLException e) {
                      if (!closed) {
                        LOG.warn(
                            "listening for new deliveries failed; polling covers it: {}",
                            e.getMessage());
                        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                      }
                    }
                  }
                });
  }

  /**
   * One query on the schema history: the database answers, and no one has put an older schema under
   * this process (a newer one is fine: during a rolling upgrade a newer node migrates first, and
   * migrations only add).
   */
  @Override
  public Optional<String> unready() {
    try {
      MigrationVersion needed = schema;
      if (needed == null) {
        needed = newestKnown(flyway.info().all());
        schema = needed;
      }
      MigrationVersion at = readJdbi.withHandle(JdbcStore::applied);
      if (at.compareTo(needed) < 0) {
        return Optional.of(
            "the schema is at version %s; this build needs %s (run: backchannel migrate)"
                .formatted(at, needed));
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of("the store does not answer: " + e.getMessage());
    }
  }

  @Override
  public String kind() {
    return dialect.kind();
  }

  @Override
  public void close() {
    closed = true;
    Thread listening = notifications;
    if (listening != null) {
      try {
        listening.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (checkpoints != null) {
      checkpoints.close();
    }
    if (readSource != null) {
      readSource.close();
    }
    dataSource.close();
  }
}
