package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.store.Store;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;

class PostgresRetentionTest extends RetentionContract {
  String url;

  @Override
  Store open() {
    url = TestDatabases.postgresUrl();
    return JdbcStore.open(url);
  }

  @Test
  void rowsAnotherTransactionHoldsAreSkippedNotWaitedFor() throws Exception {
    Delivery held = succeeded(T0, T0.plusSeconds(1));
    Delivery free = succeeded(T0, T0.plusSeconds(2));
    clock.set(T0.plus(DAYS_30).plusSeconds(10));
    Retention r = retention("node-a", 500);
    try (Connection other = DriverManager.getConnection(url);
        Statement s = other.createStatement()) {
      other.setAutoCommit(false);
      s.execute("SELECT id FROM deliveries WHERE id = " + held.id() + " FOR UPDATE");

      Retention.Run run = r.purge();

      assertThat(run.deliveries()).isEqualTo(1);
      assertThat(exists(free)).isFalse();
      assertThat(exists(held)).isTrue();
      other.rollback();
    }
    assertThat(r.purge().deliveries()).isEqualTo(1);
    assertThat(exists(held)).isFalse();
  }
}
