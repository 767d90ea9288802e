package org.backchannel.core.oauth;

import java.time.Duration;
import java.util.Set;
import org.backchannel.core.workspace.Scope;

/**
 * What the token endpoint answers: a new access token and refresh token (each shown this once and
 * stored only hashed), how long the access token lasts, the grant's scopes and, for a flow-scoped
 * grant, its flow.
 */
public record IssuedTokens(
    String accessToken, String refreshToken, Duration expiresIn, Set<Scope> scopes, Long flowId) {
  public IssuedTokens {
    scopes = Set.copyOf(scopes);
  }

  /** Never the tokens: an answer may end up in a log. */
  @Override
  public String toString() {
    return "IssuedTokens[scopes=" + Scope.format(scopes) + ", flow=" + flowId + "]";
  }
}
