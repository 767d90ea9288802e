package org.backchannel.core.workspace;

import java.util.Set;

/**
 * How far a person's authority reaches when an app acts for them with an OAuth access token: the
 * grant it comes from, the app, its scopes and, for a flow-scoped grant, its one flow.
 */
public record Delegation(long grantId, long appId, Set<Scope> scopes, Long flowId) {
  public Delegation {
    scopes = Set.copyOf(scopes);
  }

  public boolean allows(Scope scope) {
    return scopes.contains(scope);
  }

  /** Whether the grant reaches {@code flow}: any flow the person is in unless it names one. */
  public boolean reaches(long flow) {
    return flowId == null || flowId == flow;
  }
}
