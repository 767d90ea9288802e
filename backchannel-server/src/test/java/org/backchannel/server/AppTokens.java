package org.backchannel.server;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.backchannel.core.oauth.Grant;
import org.backchannel.core.oauth.IssuedToken;
import org.backchannel.core.oauth.OAuthStore;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Scope;

/**
 * An app's OAuth access token as the app holds it once a person has authorised it: the grant and
 * the hashed token written straight to the store, which is the state the token endpoint leaves.
 */
record AppTokens(long grantId, String token) {
  static final Duration LIFETIME = Duration.ofHours(1);

  /** A grant of {@code scopes} by {@code userId} to {@code appId}, naming {@code flowId} if any. */
  static AppTokens issue(
      Store store,
      Instant now,
      long workspaceId,
      long appId,
      long userId,
      Long flowId,
      Set<Scope> scopes) {
    String token = Tokens.newAccessToken();
    long grant =
        store.transaction(
            tx -> {
              OAuthStore oauth = tx.store(OAuthStore.class);
              Grant g = oauth.insertGrant(workspaceId, appId, userId, flowId, scopes, now);
              oauth.insertToken(
                  g.id(), IssuedToken.Kind.ACCESS, Tokens.hash(token), now.plus(LIFETIME), now);
              return g.id();
            });
    return new AppTokens(grant, token);
  }

  /** Revokes the grant, with its tokens and sources, as its person or an admin would. */
  static void revoke(Store store, long grantId, long byUserId, Instant now) {
    store.transaction(tx -> tx.store(OAuthStore.class).revokeGrant(grantId, byUserId, now));
  }
}
