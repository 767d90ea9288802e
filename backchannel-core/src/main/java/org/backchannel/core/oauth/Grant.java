package org.backchannel.core.oauth;

import java.time.Instant;
import java.util.Set;
import org.backchannel.core.workspace.Delegation;
import org.backchannel.core.workspace.Scope;

/**
 * A person's authorisation of an app: its scopes and, for flow-scoped ones, the one flow they
 * picked. Revoking it stops every token and source made under it.
 */
public record Grant(
    long id,
    long workspaceId,
    long appId,
    long userId,
    Long flowId,
    Set<Scope> scopes,
    Instant createdAt,
    Instant revokedAt,
    Long revokedBy) {
  public Grant {
    scopes = Set.copyOf(scopes);
  }

  public boolean revoked() {
    return revokedAt != null;
  }

  /** How far an access token of this grant reaches. */
  public Delegation delegation() {
    return new Delegation(id, appId, scopes, flowId);
  }
}
