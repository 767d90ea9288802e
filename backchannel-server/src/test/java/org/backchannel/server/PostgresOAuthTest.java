package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;

final class PostgresOAuthTest extends OAuthContract {
  @Override
  Store newStore() {
    return TestDatabases.postgres();
  }
}
