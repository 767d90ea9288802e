package org.backchannel.server;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.backchannel.core.oauth.Grant;
import org.backchannel.core.oauth.OAuthClient;
import org.backchannel.core.oauth.OAuthStore;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Scope;

/**
 * Grants and client settings written straight into the store, as the OAuth protocol would leave
 * them, for tests of what people and admins do with them.
 */
final class GrantRows {
  private GrantRows() {}

  /** A grant with its record entry, an access token and, with flow:post, a source. */
  record Made(Grant grant, String accessToken, String flowToken) {
    long id() {
      return grant.id();
    }
  }

  static Made grant(
      Store store, Instant now, long workspace, long app, long user, Long flow, Set<Scope> scopes) {
    AppTokens access = AppTokens.issue(store, now, workspace, app, user, flow, scopes);
    String posting = scopes.contains(Scope.FLOW_POST) ? Tokens.newFlowToken() : null;
    return store.transaction(
        (Tx tx) -> {
          OAuthStore oauth = tx.store(OAuthStore.class);
          Grant g = oauth.grant(access.grantId()).orElseThrow();
          oauth.insertEvent(workspace, g.id(), user, "granted", Scope.format(scopes), now);
          if (posting != null) {
            oauth.insertSource(
                g, "GitHub for " + user, "https://github.example/acme", Tokens.hash(posting), now);
          }
          return new Made(g, access.token(), posting);
        });
  }

  /** Sets an app's client settings as an admin would. */
  static void client(
      Store store, Instant now, long app, boolean approved, String description, String installUrl) {
    store.transaction(
        (Tx tx) -> {
          tx.store(OAuthStore.class)
              .saveClient(
                  new OAuthClient(
                      app,
                      List.of("https://apps.example/callback"),
                      false,
                      approved,
                      description,
                      installUrl),
                  now);
          return null;
        });
  }
}
