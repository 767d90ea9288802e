package org.backchannel.store;

import static org.backchannel.store.Rows.instant;
import static org.backchannel.store.Rows.millis;
import static org.backchannel.store.Rows.nullableLong;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.backchannel.core.Json;
import org.backchannel.core.apps.Source;
import org.backchannel.core.oauth.Grant;
import org.backchannel.core.oauth.GrantEvent;
import org.backchannel.core.oauth.InstallPolicy;
import org.backchannel.core.oauth.IssuedCode;
import org.backchannel.core.oauth.IssuedToken;
import org.backchannel.core.oauth.OAuthClient;
import org.backchannel.core.oauth.OAuthStore;
import org.backchannel.core.workspace.Scope;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** The authorisation server's rows, on one transaction's handle. */
final class JdbcOAuthStore implements OAuthStore {
  private static final String GRANT =
      "id, workspace_id, app_id, user_id, flow_id, scopes, created_at, revoked_at, revoked_by";
  private static final RowMapper<Grant> GRANTS =
      (rs, ctx) ->
          new Grant(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getLong("app_id"),
              rs.getLong("user_id"),
              nullableLong(rs, "flow_id"),
              Scope.parse(rs.getString("scopes")),
              instant(rs, "created_at"),
              instant(rs, "revoked_at"),
              nullableLong(rs, "revoked_by"));
  private static final String TOKEN =
      "id, grant_id, kind, created_at, expires_at, used_at, revoked_at";
  private static final RowMapper<IssuedToken> TOKENS =
      (rs, ctx) ->
          new IssuedToken(
              rs.getLong("id"),
              rs.getLong("grant_id"),
              IssuedToken.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
              instant(rs, "created_at"),
              instant(rs, "expires_at"),
              instant(rs, "used_at"),
              instant(rs, "revoked_at"));

  private final Handle h;

  JdbcOAuthStore(Handle h) {
    this.h = h;
  }

  @Override
  public Optional<OAuthClient> client(long appId) {
    return h.createQuery(
            "SELECT app_id, redirect_uris, public_client, approved, description, install_url"
                + " FROM oauth_clients WHERE app_id = :app")
        .bind("app", appId)
        .map(
            (rs, ctx) ->
                new OAuthClient(
                    rs.getLong("app_id"),
                    List.of(Json.read(rs.getString("redirect_uris"), String[].class)),
                    rs.getBoolean("public_client"),
                    rs.getBoolean("approved"),
                    rs.getString("description"),
                    rs.getString("install_url")))
        .findOne();
  }

  @Override
  public void saveClient(OAuthClient c, Instant now) {
    h.createUpdate(
            "INSERT INTO oauth_clients (app_id, redirect_uris, public_client, approved,"
                + " description, install_url, updated_at)"
                + " VALUES (:app, :uris, :public, :approved, :description, :install, :now)"
                + " ON CONFLICT (app_id) DO UPDATE SET redirect_uris = excluded.redirect_uris,"
                + " public_client = excluded.public_client, approved = excluded.approved,"
                + " description = excluded.description, install_url = excluded.install_url,"
                + " updated_at = excluded.updated_at")
        .bind("app", c.appId())
        .bind("uris", Json.write(c.redirectUris()))
        .bind("public", c.publicClient())
        .bind("approved", c.approved())
        .bind("description", c.description())
        .bind("install", c.installUrl())
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public List<Long> appsWithClientId(String clientId) {
    return h.createQuery("SELECT id FROM apps WHERE client_id = :client ORDER BY id")
        .bind("client", clientId)
        .mapTo(Long.class)
        .list();
  }

  @Override
  public InstallPolicy policy(long workspaceId) {
    return h.createQuery("SELECT install_policy FROM workspaces WHERE id = :ws")
        .bind("ws", workspaceId)
        .mapTo(String.class)
        .findOne()
        .flatMap(InstallPolicy::of)
        .orElse(InstallPolicy.ANY);
  }

  @Override
  public void setPolicy(long workspaceId, InstallPolicy policy) {
    h.createUpdate("UPDATE workspaces SET install_policy = :policy WHERE id = :ws")
        .bind("policy", policy.wire())
        .bind("ws", workspaceId)
        .execute();
  }

  @Override
  public Grant insertGrant(
      long workspaceId, long appId, long userId, Long flowId, Set<Scope> scopes, Instant now) {
    return h.createQuery(
            "INSERT INTO oauth_grants (workspace_id, app_id, user_id, flow_id, scopes, created_at)"
                + " VALUES (:ws, :app, :user, :flow, :scopes, :now) RETURNING "
                + GRANT)
        .bind("ws", workspaceId)
        .bind("app", appId)
        .bind("user", userId)
        .bind("flow", flowId)
        .bind("scopes", Scope.format(scopes))
        .bind("now", millis(now))
        .map(GRANTS)
        .one();
  }

  @Override
  public Optional<Grant> grant(long id) {
    return h.createQuery("SELECT " + GRANT + " FROM oauth_grants WHERE id = :id")
        .bind("id", id)
        .map(GRANTS)
        .findOne();
  }

  @Override
  public List<Grant> grantsOfUser(long userId, boolean withRevoked) {
    return grants("user_id = :key", userId, withRevoked);
  }

  @Override
  public List<Grant> grantsOfWorkspace(long workspaceId, boolean withRevoked) {
    return grants("workspace_id = :key", workspaceId, withRevoked);
  }

  @Override
  public List<Grant> grantsOfFlow(long flowId) {
    return grants("flow_id = :key", flowId, false);
  }

  private List<Grant> grants(String where, long key, boolean withRevoked) {
    return h.createQuery(
            "SELECT "
                + GRANT
                + " FROM oauth_grants WHERE "
                + where
                + (withRevoked ? "" : " AND revoked_at IS NULL")
                + " ORDER BY id DESC")
        .bind("key", key)
        .map(GRANTS)
        .list();
  }

  @Override
  public boolean revokeGrant(long grantId, Long byUserId, Instant now) {
    boolean live =
        h.createUpdate(
                    "UPDATE oauth_grants SET revoked_at = :now, revoked_by = :by"
                        + " WHERE id = :id AND revoked_at IS NULL")
                .bind("now", millis(now))
                .bind("by", byUserId)
                .bind("id", grantId)
                .execute()
            > 0;
    h.createUpdate(
            "UPDATE oauth_tokens SET revoked_at = :now WHERE grant_id = :id AND revoked_at IS NULL")
        .bind("now", millis(now))
        .bind("id", grantId)
        .execute();
    h.createUpdate(
            "UPDATE sources SET revoked_at = :now WHERE grant_id = :id AND revoked_at IS NULL")
        .bind("now", millis(now))
        .bind("id", grantId)
        .execute();
    return live;
  }

  @Override
  public void insertCode(
      String codeHash, long grantId, String redirectUri, String codeChallenge, Instant expiresAt) {
    h.createUpdate(
            "INSERT INTO oauth_codes (code_hash, grant_id, redirect_uri, code_challenge,"
                + " expires_at) VALUES (:hash, :grant, :uri, :challenge, :expires)")
        .bind("hash", codeHash)
        .bind("grant", grantId)
        .bind("uri", redirectUri)
        .bind("challenge", codeChallenge)
        .bind("expires", millis(expiresAt))
        .execute();
  }

  @Override
  public Optional<IssuedCode> useCode(String codeHash, Instant now) {
    Optional<IssuedCode> code =
        h.createQuery(
                "SELECT grant_id, redirect_uri, code_challenge, expires_at, used_at"
                    + " FROM oauth_codes WHERE code_hash = :hash")
            .bind("hash", codeHash)
            .map(
                (rs, ctx) ->
                    new IssuedCode(
                        rs.getLong("grant_id"),
                        rs.getString("redirect_uri"),
                        rs.getString("code_challenge"),
                        instant(rs, "expires_at"),
                        instant(rs, "used_at")))
            .findOne();
    if (code.isPresent() && code.get().usedAt() == null) {
      // Only one of two racing exchanges marks it; the other sees it used.
      int marked =
          h.createUpdate(
                  "UPDATE oauth_codes SET used_at = :now WHERE code_hash = :hash"
                      + " AND used_at IS NULL")
              .bind("now", millis(now))
              .bind("hash", codeHash)
              .execute();
      if (marked == 0) {
        IssuedCode c = code.get();
        return Optional.of(
            new IssuedCode(c.grantId(), c.redirectUri(), c.codeChallenge(), c.expiresAt(), now));
      }
    }
    return code;
  }

  @Override
  public IssuedToken insertToken(
      long grantId, IssuedToken.Kind kind, String tokenHash, Instant expiresAt, Instant now) {
    return h.createQuery(
            "INSERT INTO oauth_tokens (grant_id, kind, token_hash, created_at, expires_at)"
                + " VALUES (:grant, :kind, :hash, :now, :expires) RETURNING "
                + TOKEN)
        .bind("grant", grantId)
        .bind("kind", kind.name().toLowerCase(Locale.ROOT))
        .bind("hash", tokenHash)
        .bind("now", millis(now))
        .bind("expires", millis(expiresAt))
        .map(TOKENS)
        .one();
  }

  @Override
  public Optional<IssuedToken> token(String tokenHash) {
    return h.createQuery("SELECT " + TOKEN + " FROM oauth_tokens WHERE token_hash = :hash")
        .bind("hash", tokenHash)
        .map(TOKENS)
        .findOne();
  }

  @Override
  public boolean useToken(long tokenId, Instant now) {
    return h.createUpdate(
                "UPDATE oauth_tokens SET used_at = :now WHERE id = :id AND used_at IS NULL"
                    + " AND revoked_at IS NULL")
            .bind("now", millis(now))
            .bind("id", tokenId)
            .execute()
        > 0;
  }

  @Override
  public boolean revokeToken(long tokenId, Instant now) {
    return h.createUpdate(
                "UPDATE oauth_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
            .bind("now", millis(now))
            .bind("id", tokenId)
            .execute()
        > 0;
  }

  @Override
  public void insertEvent(
      long workspaceId, long grantId, Long actorId, String action, String detail, Instant now) {
    h.createUpdate(
            "INSERT INTO oauth_events (workspace_id, grant_id, actor_id, action, detail, at)"
                + " VALUES (:ws, :grant, :actor, :action, :detail, :now)")
        .bind("ws", workspaceId)
        .bind("grant", grantId)
        .bind("actor", actorId)
        .bind("action", action)
        .bind("detail", detail)
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public List<GrantEvent> events(long workspaceId, int limit) {
    return h.createQuery(
            "SELECT id, grant_id, actor_id, action, detail, at FROM oauth_events"
                + " WHERE workspace_id = :ws ORDER BY id DESC LIMIT :limit")
        .bind("ws", workspaceId)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new GrantEvent(
                    rs.getLong("id"),
                    rs.getLong("grant_id"),
                    nullableLong(rs, "actor_id"),
                    rs.getString("action"),
                    rs.getString("detail"),
                    instant(rs, "at")))
        .list();
  }

  @Override
  public Source insertSource(
      Grant grant, String name, String externalUrl, String tokenHash, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO sources (app_id, flow_id, name, token_hash, created_at, grant_id,"
                        + " created_by, external_url)"
                        + " VALUES (:app, :flow, :name, :token, :now, :grant, :user, :url)"
                        + " RETURNING "
                        + Rows.SOURCE)
                .bind("app", grant.appId())
                .bind("flow", grant.flowId())
                .bind("name", name)
                .bind("token", tokenHash)
                .bind("now", millis(now))
                .bind("grant", grant.id())
                .bind("user", grant.userId())
                .bind("url", externalUrl)
                .map(Rows.SOURCES)
                .one(),
        Map.of("token_hash", "that flow token is already in use"));
  }

  @Override
  public List<Source> sourcesOfApp(long appId, long flowId) {
    return h.createQuery(
            "SELECT "
                + Rows.SOURCE
                + " FROM sources WHERE app_id = :app AND flow_id = :flow AND revoked_at IS NULL"
                + " ORDER BY id")
        .bind("app", appId)
        .bind("flow", flowId)
        .map(Rows.SOURCES)
        .list();
  }

  @Override
  public List<Source> sourcesOfFlow(long flowId) {
    return h.createQuery(
            "SELECT "
                + Rows.SOURCE
                + " FROM sources WHERE flow_id = :flow AND revoked_at IS NULL ORDER BY id")
        .bind("flow", flowId)
        .map(Rows.SOURCES)
        .list();
  }
}
