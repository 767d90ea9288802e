package org.backchannel.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies SQLite's write-ahead log into the database file on a thread of its own. Left to SQLite, a
 * checkpoint runs inside the commit that grows the log past a thousand pages, and waits for the
 * file's flush to disk: one press in about fifty waited 10 to 20 ms for it. The connections
 * therefore checkpoint only past {@value #FALLBACK_PAGES} pages, and this thread runs a passive
 * checkpoint, which takes no lock from readers and writers, a moment after commits (its flushes to
 * disk still slow the commits beside them, in proportion to what it copies). Once the whole log is
 * in the file, the next writer starts it again from the beginning. Under a steady stream of writes
 * a passive checkpoint never quite catches up, so once the log is past {@value #LIMIT_PAGES} pages
 * one is finished holding the writers' lock: the passive ones have copied nearly all of it by then,
 * and this comes a quarter as often as SQLite's own checkpoint.
 */
final class SqliteCheckpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpoints.class);

  /** How long commits gather before a checkpoint copies them. */
  static final long EVERY_MILLIS = 100;

  /** The log's length (pages of 4 KB) past which a checkpoint holds the writers back to finish. */
  static final long LIMIT_PAGES = 4096;

  /**
   * The log's length past which SQLite itself checkpoints inside the commit (its {@code
   * wal_autocheckpoint}): only when this thread falls behind, say on a machine too busy to run it,
   * so the log stays bounded whatever the timing.
   */
  static final int FALLBACK_PAGES = 6144;

  private final DataSource connections;
  private final Lock writers;
  private final AtomicLong commits = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  /**
   * {@code connections}: where the thread takes its connection (one of the writers' pool); {@code
   * writers}: the lock every writer holds.
   */
  SqliteCheckpoints(DataSource connections, Lock writers) {
    this.connections = connections;
    this.writers = writers;
    this.thread =
        Thread.ofPlatform().daemon().name("backchannel-sqlite-checkpoint").start(this::run);
  }

  /** A transaction committed: there is something to copy. */
  void committed() {
    commits.incrementAndGet();
  }

  private void run() {
    long seen = 0;
    while (!closed) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(EVERY_MILLIS));
      long now = commits.get();
      if (now == seen || closed) {
        continue;
      }
      seen = now;
      try {
        if (checkpoint() > LIMIT_PAGES) {
          writers.lock();
          try {
            checkpoint();
          } finally {
            writers.unlock();
          }
        }
      } catch (SQLException e) {
        if (!closed) {
          LOG.warn(
              "checkpoint of the SQLite log failed (tried again after more commits): {}",
              e.getMessage());
        }
      }
    }
  }

  /** One passive checkpoint now; returns the log's length in pages. */
  private long checkpoint() throws SQLException {
    try (Connection c = connections.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
      // (busy, pages in the log, pages copied); -1 when the database is not in WAL mode
      return rs.next() ? rs.getLong(2) : 0;
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
