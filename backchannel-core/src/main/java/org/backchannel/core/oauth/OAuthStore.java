package org.backchannel.core.oauth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.backchannel.core.apps.Source;
import org.backchannel.core.workspace.Scope;

/**
 * Storage of the authorisation server: apps' client settings, people's grants, codes and tokens
 * (hashed), the record of grants and revocations, and each workspace's install policy.
 */
public interface OAuthStore {
  /** The app's client settings, if it has any. */
  Optional<OAuthClient> client(long appId);

  /** Replaces the app's client settings. */
  void saveClient(OAuthClient client, Instant now);

  /** The ids of the apps, in any workspace, whose client id is {@code clientId}. */
  List<Long> appsWithClientId(String clientId);

  InstallPolicy policy(long workspaceId);

  void setPolicy(long workspaceId, InstallPolicy policy);

  Grant insertGrant(
      long workspaceId, long appId, long userId, Long flowId, Set<Scope> scopes, Instant now);

  Optional<Grant> grant(long id);

  /** The person's grants, newest first; revoked ones only if {@code withRevoked}. */
  List<Grant> grantsOfUser(long userId, boolean withRevoked);

  /** The workspace's grants, newest first; revoked ones only if {@code withRevoked}. */
  List<Grant> grantsOfWorkspace(long workspaceId, boolean withRevoked);

  /** The live grants that name {@code flowId}. */
  List<Grant> grantsOfFlow(long flowId);

  /**
   * Revokes a grant with every token and source made under it; returns whether it was live.
   *
   * @param byUserId who revoked it; null when Backchannel did (e.g. a refresh token reused)
   */
  boolean revokeGrant(long grantId, Long byUserId, Instant now);

  void insertCode(
      String codeHash, long grantId, String redirectUri, String codeChallenge, Instant expiresAt);

  /**
   * Marks the code used and answers it as it was before: {@code usedAt} set means it had been used
   * already. Empty if no such code.
   */
  Optional<IssuedCode> useCode(String codeHash, Instant now);

  IssuedToken insertToken(
      long grantId, IssuedToken.Kind kind, String tokenHash, Instant expiresAt, Instant now);

  Optional<IssuedToken> token(String tokenHash);

  /** Marks a refresh token used; false if it had been used (or revoked) already. */
  boolean useToken(long tokenId, Instant now);

  /** Revokes one token; returns whether it was live. */
  boolean revokeToken(long tokenId, Instant now);

  void insertEvent(
      long workspaceId, long grantId, Long actorId, String action, String detail, Instant now);

  /** The workspace's record of grants and revocations, newest first. */
  List<GrantEvent> events(long workspaceId, int limit);

  /** A source an app made for itself in the grant's flow; fails with a conflict on a used hash. */
  Source insertSource(Grant grant, String name, String externalUrl, String tokenHash, Instant now);

  /** The live sources of an app in a flow. */
  List<Source> sourcesOfApp(long appId, long flowId);

  /** The live sources of a flow, for its page. */
  List<Source> sourcesOfFlow(long flowId);
}
