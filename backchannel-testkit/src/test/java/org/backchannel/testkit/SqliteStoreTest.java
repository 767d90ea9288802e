package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
  @Override
  Store open() {
    return TestDatabases.sqlite();
  }

  @Override
  String expectedKind() {
    return "sqlite";
  }

  @Test
  void createsParentDirectoriesAndReopensMigratedFile(@TempDir Path dir) throws SQLException {
    Path file = dir.resolve("a/b/backchannel.db");
    try (JdbcStore first = JdbcStore.open("jdbc:sqlite:" + file)) {
      first.transaction(t -> t.insertWorkspace("Acme", T0));
    }
    assertThat(Files.isRegularFile(file)).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
    try (JdbcStore again = JdbcStore.open("jdbc:sqlite:" + file)) {
      List<Workspace> workspaces = again.transaction(t -> t.workspaces());
      assertThat(workspaces).extracting(Workspace::name).containsExactly("Acme");
    }
  }
}
