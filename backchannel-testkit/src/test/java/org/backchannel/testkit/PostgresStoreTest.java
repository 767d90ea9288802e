package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.WorkspaceStore;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;

class PostgresStoreTest extends StoreContract {
  @Override
  Store open() {
    return TestDatabases.postgres();
  }

  @Override
  String expectedKind() {
    return "postgresql";
  }

  @Test
  void withDatabaseKeepsHostAndParameters() {
    assertThat(TestDatabases.withDatabase("jdbc:postgresql://h:5432/postgres?user=u&x=y", "t_1"))
        .isEqualTo("jdbc:postgresql://h:5432/t_1?user=u&x=y");
    assertThat(TestDatabases.withDatabase("jdbc:postgresql://h/db", "t_2"))
        .isEqualTo("jdbc:postgresql://h/t_2");
    assertThat(TestDatabases.withDatabase("jdbc:postgresql://h:1", "t_3"))
        .isEqualTo("jdbc:postgresql://h:1/t_3");
  }

  @Test
  void anotherNodeIsWokenThroughListenNotify() throws Exception {
    String url = TestDatabases.postgresUrl();
    try (JdbcStore a = JdbcStore.open(url);
        JdbcStore b = JdbcStore.open(url)) {
      Semaphore woken = new Semaphore(0);
      try (AutoCloseable subscription = b.onNewWork(woken::release)) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        a.transaction(
            (Tx tx) -> {
              long ws = tx.store(WorkspaceStore.class).insertWorkspace("Acme", t).id();
              long app = tx.store(AppStore.class).insertApp(ws, "CI", "ci", "sealed", t).id();
              return StoreContract.queued(
                  tx,
                  new NewDelivery(
                      ws, app, Contract.NATIVE, "e", "POST", "https://a.test/", null, new byte[0]),
                  "msg_1",
                  t);
            });

        assertThat(woken.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
