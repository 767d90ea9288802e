package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.backchannel.core.store.Store;
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
}
