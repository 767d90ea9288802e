package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;

final class PostgresRetentionTest extends RetentionContract {
  @Override
  Store newStore() {
    return TestDatabases.postgres();
  }
}
