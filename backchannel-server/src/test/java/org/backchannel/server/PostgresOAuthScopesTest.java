package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;

final class PostgresOAuthScopesTest extends OAuthScopesContract {
  @Override
  Store newStore() {
    return TestDatabases.postgres();
  }
}
