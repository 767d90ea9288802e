package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.SealedSecrets;
import org.backchannel.core.apps.Source;
import org.jdbi.v3.core.Handle;

/** Apps, their secrets and their sources, on one transaction's handle. */
final class JdbcAppStore implements AppStore {
  private final Handle h;

  JdbcAppStore(Handle h) {
    this.h = h;
  }

  @Override
  public App insertApp(
      long workspaceId, String name, String clientId, String secretCiphertext, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO apps (workspace_id, name, client_id, secret_ciphertext,"
                        + " created_at) VALUES (:ws, :name, :client, :secret, :now) RETURNING "
                        + Rows.APP)
                .bind("ws", workspaceId)
                .bind("name", name)
                .bind("client", clientId)
                .bind("secret", secretCiphertext)
                .bind("now", millis(now))
                .map(Rows.APPS)
                .one(),
        Map.of("client_id", "an app with client id " + clientId + " already exists"));
  }

  @Override
  public Optional<App> app(long id) {
    return h.createQuery("SELECT " + Rows.APP + " FROM apps WHERE id = :id")
        .bind("id", id)
        .map(Rows.APPS)
        .findOne();
  }

  @Override
  public List<App> apps(long workspaceId) {
    return h.createQuery("SELECT " + Rows.APP + " FROM apps WHERE workspace_id = :ws ORDER BY id")
        .bind("ws", workspaceId)
        .map(Rows.APPS)
        .list();
  }

  @Override
  public String appSecretCiphertext(long appId) {
    return h.createQuery("SELECT secret_ciphertext FROM apps WHERE id = :id")
        .bind("id", appId)
        .mapTo(String.class)
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("app " + appId));
  }

  @Override
  public Source insertSource(long appId, long flowId, String name, String tokenHash, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO sources (app_id, flow_id, name, token_hash, created_at)"
                        + " VALUES (:app, :flow, :name, :token, :now) RETURNING "
                        + Rows.SOURCE)
                .bind("app", appId)
                .bind("flow", flowId)
                .bind("name", name)
                .bind("token", tokenHash)
                .bind("now", millis(now))
                .map(Rows.SOURCES)
                .one(),
        Map.of("token_hash", "that flow token is already in use"));
  }

  @Override
  public Optional<Source> source(long id) {
    return h.createQuery("SELECT " + Rows.SOURCE + " FROM sources WHERE id = :id")
        .bind("id", id)
        .map(Rows.SOURCES)
        .findOne();
  }

  @Override
  public Optional<Source> sourceByTokenHash(String tokenHash) {
    return h.createQuery(
            // A source made under a person's grant posts while the grant holds: not revoked, its
            // person active and still in the flow.
            "SELECT s."
                + Rows.SOURCE.replace(", ", ", s.")
                + " FROM sources s LEFT JOIN oauth_grants g ON g.id = s.grant_id"
                + " LEFT JOIN users u ON u.id = g.user_id"
                + " WHERE s.token_hash = :token AND s.revoked_at IS NULL"
                + " AND (s.grant_id IS NULL OR (g.revoked_at IS NULL AND u.deactivated_at IS NULL"
                + " AND EXISTS (SELECT 1 FROM flow_members m"
                + " WHERE m.flow_id = s.flow_id AND m.user_id = g.user_id)))")
        .bind("token", tokenHash)
        .map(Rows.SOURCES)
        .findOne();
  }

  @Override
  public List<Source> sources(long workspaceId) {
    return h.createQuery(
            "SELECT s."
                + Rows.SOURCE.replace(", ", ", s.")
                + " FROM sources s JOIN apps a ON a.id = s.app_id"
                + " WHERE a.workspace_id = :ws ORDER BY s.id")
        .bind("ws", workspaceId)
        .map(Rows.SOURCES)
        .list();
  }

  @Override
  public boolean revokeSource(long sourceId, Instant now) {
    return h.createUpdate(
                "UPDATE sources SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
            .bind("now", millis(now))
            .bind("id", sourceId)
            .execute()
        > 0;
  }

  @Override
  public Optional<String> pendingSecretCiphertext(long appId) {
    return h.createQuery(
            "SELECT pending_secret_ciphertext FROM app_platform WHERE app_id = :app"
                + " AND pending_secret_ciphertext IS NOT NULL")
        .bind("app", appId)
        .mapTo(String.class)
        .findOne();
  }

  @Override
  public SealedSecrets sealedSecrets(long appId, Instant now) {
    return h.createQuery(
            "SELECT a.client_id, a.secret_ciphertext, p.pending_secret_ciphertext,"
                + " CASE WHEN p.previous_secret_expires_at > :now"
                + " THEN p.previous_secret_ciphertext END AS previous"
                + " FROM apps a LEFT JOIN app_platform p ON p.app_id = a.id WHERE a.id = :id")
        .bind("id", appId)
        .bind("now", millis(now))
        .map(
            (rs, ctx) ->
                new SealedSecrets(
                    rs.getString("client_id"),
                    rs.getString("secret_ciphertext"),
                    rs.getString("pending_secret_ciphertext"),
                    rs.getString("previous")))
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("app " + appId));
  }
}
