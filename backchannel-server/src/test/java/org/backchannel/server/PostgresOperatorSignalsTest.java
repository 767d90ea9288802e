package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;

final class PostgresOperatorSignalsTest extends OperatorSignalsContract {
  @Override
  Store newStore() {
    return TestDatabases.postgres();
  }
}
