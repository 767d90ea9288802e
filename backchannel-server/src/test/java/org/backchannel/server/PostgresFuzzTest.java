package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.store.JdbcStore;
import org.backchannel.testkit.TestDatabases;

final class PostgresFuzzTest extends FuzzContract {
  @Override
  Store newStore() {
    jdbcUrl = TestDatabases.postgresUrl();
    return JdbcStore.open(jdbcUrl);
  }
}
