package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.core.workspace.WorkspaceStore;
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
      first.transaction(t -> t.store(WorkspaceStore.class).insertWorkspace("Acme", T0));
    }
    assertThat(Files.isRegularFile(file)).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
    try (JdbcStore again = JdbcStore.open("jdbc:sqlite:" + file)) {
      List<Workspace> workspaces =
          again.transaction(t -> t.store(WorkspaceStore.class).workspaces());
      assertThat(workspaces).extracting(Workspace::name).containsExactly("Acme");
    }
  }

  @Test
  void readsDoNotWaitForAnOpenWriteAndCannotWrite() throws Exception {
    Workspace acme =
        store.transaction((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace("Acme", T0));
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    CompletableFuture<Workspace> write =
        CompletableFuture.supplyAsync(
            () ->
                store.transaction(
                    (Tx t) -> {
                      Workspace w = t.store(WorkspaceStore.class).insertWorkspace("Globex", T0);
                      writing.countDown();
                      await(finish);
                      return w;
                    }),
            threads);
    await(writing);
    try {
      // The write holds SQLite's one write lock; a read still answers, from before it.
      assertThat(
              CompletableFuture.supplyAsync(
                      () -> store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces()),
                      threads)
                  .get(10, TimeUnit.SECONDS))
          .containsExactly(acme);
    } finally {
      finish.countDown();
      threads.shutdown();
    }
    Workspace globex = write.get(10, TimeUnit.SECONDS);
    assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces()))
        .containsExactly(acme, globex);
    assertThatThrownBy(
            () ->
                store.read((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace("Initech", T0)))
        .hasMessageContaining("readonly");
    assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces())).hasSize(2);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
