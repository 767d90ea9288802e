package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;

final class PostgresValidationTest extends ValidationContract {
  @Override
  Store newStore() {
    return TestDatabases.postgres();
  }
}
