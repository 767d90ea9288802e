package org.backchannel.server;

import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;

final class SqliteOAuthScopesTest extends OAuthScopesContract {
  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }
}
