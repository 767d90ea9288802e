package org.backchannel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.WorkspaceStore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** SQLite statements kept per connection: used again, never shared, and holding no snapshot. */
class StatementCacheTest {
  private final StatementCache cache = new StatementCache();

  private static Connection connection() throws Exception {
    Path dir = Files.createTempDirectory("statement-cache-");
    dir.toFile().deleteOnExit();
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
  }

  @Test
  void aStatementGivenBackIsUsedAgainAndANestedUseGetsItsOwn() throws Exception {
    try (Connection c = connection()) {
      PreparedStatement first = cache.prepare(c, "SELECT ?");
      PreparedStatement nested = cache.prepare(c, "SELECT ?");
      assertThat(nested).isNotSameAs(first);
      cache.release(c, nested);
      assertThat(nested.isClosed()).as("not kept: another was kept first").isTrue();
      cache.release(c, first);
      assertThat(first.isClosed()).isFalse();

      PreparedStatement again = cache.prepare(c, "SELECT ?");
      assertThat(again).isSameAs(first);
      again.setInt(1, 42);
      try (ResultSet rs = again.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
      cache.release(c, again);
    }
  }

  @Test
  void jdbiQueriesUseTheKeptStatementAgain() throws Exception {
    try (Connection c = connection()) {
      Jdbi jdbi = Jdbi.create(c);
      jdbi.setStatementBuilderFactory(cache);
      try (Handle h = jdbi.open()) {
        List<Statement> used = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          assertThat(
                  h.createQuery("SELECT :x")
                      .bind("x", i)
                      .map(
                          (rs, ctx) -> {
                            used.add(rs.getStatement());
                            return rs.getInt(1);
                          })
                      .one())
              .isEqualTo(i);
        }
        assertThat(used.get(1)).isSameAs(used.get(0));
        assertThat(used.get(2)).isSameAs(used.get(0));
      }
    }
  }

  @Test
  void eachConnectionKeepsItsMostRecentlyUsedAndClosesTheRest() throws Exception {
    try (Connection c = connection()) {
      PreparedStatement oldest = cache.prepare(c, "SELECT 0");
      cache.release(c, oldest);
      for (int i = 1; i <= StatementCache.PER_CONNECTION; i++) {
        cache.release(c, cache.prepare(c, "SELECT " + i));
      }
      assertThat(oldest.isClosed()).isTrue();
      PreparedStatement newest = cache.prepare(c, "SELECT " + StatementCache.PER_CONNECTION);
      assertThat(newest.isClosed()).isFalse();
      cache.release(c, newest);
    }
  }

  @Test
  void keptStatementsHoldNoSnapshotReadsSeeEachCommitAndTheLogCheckpointsWhole() throws Exception {
    Path dir = Files.createTempDirectory("statement-cache-");
    dir.toFile().deleteOnExit();
    String url = "jdbc:sqlite:" + dir.resolve("store.db");
    try (JdbcStore store = JdbcStore.open(url)) {
      Instant now = Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; i < 20; i++) {
        String name = "w" + i;
        store.transaction((Tx tx) -> tx.store(WorkspaceStore.class).insertWorkspace(name, now));
        // The same query again and again, on kept statements: each read sees every commit.
        assertThat(store.read((Tx tx) -> tx.store(WorkspaceStore.class).workspaces()))
            .hasSize(i + 1);
      }
      // A statement left mid-read would pin the log: a full checkpoint would report itself busy.
      try (Connection c = DriverManager.getConnection(url);
          ResultSet rs = c.createStatement().executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("busy").isZero();
      }
    }
  }
}
