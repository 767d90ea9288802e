package org.backchannel.core.oauth;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * Who an app's OAuth access token acts for, and how far: checked on every request against the grant
 * as it is now, so a revoked grant, a deactivated person or a person who left the grant's flow
 * stops the token at once.
 */
public final class AccessTokens {
  private final Store store;
  private final InstantSource clock;

  public AccessTokens(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * The person an access token acts for, carrying its grant's {@link
   * org.backchannel.core.workspace.Delegation}.
   *
   * @throws Problem.Unauthorized if the token is unknown, expired, revoked or its grant no longer
   *     holds (one answer for all, so the API tells nothing about why)
   */
  public User authenticate(String token) {
    Instant now = clock.instant();
    return store
        .read(tx -> caller(tx, Tokens.hash(token.strip()), now))
        .orElseThrow(() -> new Problem.Unauthorized("the access token is not valid"));
  }

  private static Optional<User> caller(Tx tx, String hash, Instant now) {
    OAuthStore oauth = tx.store(OAuthStore.class);
    Optional<Grant> grant =
        oauth
            .token(hash)
            .filter(t -> t.kind() == IssuedToken.Kind.ACCESS && t.live(now))
            .flatMap(t -> oauth.grant(t.grantId()))
            .filter(g -> !g.revoked());
    if (grant.isEmpty()) {
      return Optional.empty();
    }
    Grant g = grant.get();
    WorkspaceStore people = tx.store(WorkspaceStore.class);
    return people
        .user(g.userId())
        .filter(User::isActive)
        .filter(u -> g.flowId() == null || people.isMember(g.flowId(), u.id()))
        .map(u -> u.through(g.delegation()));
  }
}
