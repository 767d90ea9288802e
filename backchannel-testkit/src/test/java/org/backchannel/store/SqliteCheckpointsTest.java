package org.backchannel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.WorkspaceStore;
import org.junit.jupiter.api.Test;

/** SQLite's log is copied into the file by a thread of its own, and still stays small. */
class SqliteCheckpointsTest {
  @Test
  void manyCommitsLeaveASmallLogAndEveryRowInTheFile() throws Exception {
    Path dir = Files.createTempDirectory("checkpoints-");
    dir.toFile().deleteOnExit();
    Path file = dir.resolve("store.db");
    String url = "jdbc:sqlite:" + file;
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    int commits = 20_000;
    long largestLog = 0;
    try (JdbcStore store = JdbcStore.open(url)) {
      for (int i = 0; i < commits; i++) {
        String name = "w" + i;
        store.transaction((Tx tx) -> tx.store(WorkspaceStore.class).insertWorkspace(name, now));
        if (i % 1000 == 0) {
          largestLog = Math.max(largestLog, Files.size(dir.resolve("store.db-wal")));
        }
      }
    }
    // Left uncopied, 20,000 commits of a page or more each would make a log of over 80 MB; the
    // thread copies it a moment after commits and writers then start it again from the beginning.
    assertThat(largestLog).isLessThan(32L * 1024 * 1024);
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM workspaces")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(commits);
    }
  }
}
