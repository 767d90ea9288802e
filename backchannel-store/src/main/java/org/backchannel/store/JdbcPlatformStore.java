package org.backchannel.store;

import static org.backchannel.store.Rows.instant;
import static org.backchannel.store.Rows.millis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.platform.Attachment;
import org.backchannel.core.platform.ChatMessage;
import org.backchannel.core.platform.Control;
import org.backchannel.core.platform.Install;
import org.backchannel.core.platform.PlatformJson;
import org.backchannel.core.platform.PlatformStore;
import org.backchannel.core.platform.Registration;
import org.backchannel.core.platform.SecretState;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** App registrations, installs and chat messages, on the transaction's handle. */
final class JdbcPlatformStore implements PlatformStore {
  private static final String REGISTRATION =
      "app_id, event_listener_url, url_patterns, controls, updated_at";
  private static final String INSTALL = "id, app_id, user_id, created_at, revoked_at";
  private static final String MESSAGE =
      "id, workspace_id, from_user_id, app_id, chat, text, attachments, created_at";

  private static final RowMapper<Registration> REGISTRATIONS =
      (rs, ctx) ->
          new Registration(
              rs.getLong("app_id"),
              rs.getString("event_listener_url"),
              List.of(Json.read(rs.getString("url_patterns"), String[].class)),
              PlatformJson.readControls(rs.getString("controls")),
              instant(rs, "updated_at"));

  private static final RowMapper<Install> INSTALLS =
      (rs, ctx) ->
          new Install(
              rs.getLong("id"),
              rs.getLong("app_id"),
              rs.getLong("user_id"),
              instant(rs, "created_at"),
              instant(rs, "revoked_at"));

  private static final RowMapper<ChatMessage> MESSAGES =
      (rs, ctx) ->
          new ChatMessage(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getLong("from_user_id"),
              Rows.nullableLong(rs, "app_id"),
              rs.getString("chat"),
              rs.getString("text"),
              PlatformJson.readAttachments(rs.getString("attachments")),
              instant(rs, "created_at"));

  private final Handle h;

  JdbcPlatformStore(Handle handle) {
    this.h = handle;
  }

  @Override
  public Optional<Registration> registration(long appId) {
    return h.createQuery("SELECT " + REGISTRATION + " FROM app_platform WHERE app_id = :app")
        .bind("app", appId)
        .map(REGISTRATIONS)
        .findOne();
  }

  @Override
  public Registration saveRegistration(
      long appId,
      String eventListenerUrl,
      List<String> urlPatterns,
      List<Control> controls,
      Instant now) {
    return h.createQuery(
            "INSERT INTO app_platform (app_id, event_listener_url, url_patterns, controls,"
                + " updated_at) VALUES (:app, :url, :patterns, :controls, :now)"
                + " ON CONFLICT (app_id) DO UPDATE SET event_listener_url = excluded.event_listener_url,"
                + " url_patterns = excluded.url_patterns, controls = excluded.controls,"
                + " updated_at = excluded.updated_at RETURNING "
                + REGISTRATION)
        .bind("app", appId)
        .bind("url", eventListenerUrl)
        .bind("patterns", Json.write(urlPatterns))
        .bind("controls", Json.write(PlatformJson.writeControls(controls)))
        .bind("now", millis(now))
        .map(REGISTRATIONS)
        .one();
  }

  @Override
  public void setPendingSecret(long appId, String ciphertext, Instant now) {
    h.createUpdate(
            "INSERT INTO app_platform (app_id, url_patterns, controls, pending_secret_ciphertext,"
                + " pending_secret_since, updated_at)"
                + " VALUES (:app, '[]', '[]', :pending, :now, :now)"
                + " ON CONFLICT (app_id) DO UPDATE SET"
                + " pending_secret_ciphertext = excluded.pending_secret_ciphertext,"
                + " pending_secret_since = excluded.pending_secret_since")
        .bind("app", appId)
        .bind("pending", ciphertext)
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public boolean activateSecret(
      long appId, String pendingCiphertext, String previousCiphertext, Instant previousExpiresAt) {
    // Only the pending secret that was read: a rotation in between has shown its own secret to
    // someone, and must not be lost.
    int cleared =
        h.createUpdate(
                "UPDATE app_platform SET pending_secret_ciphertext = NULL,"
                    + " pending_secret_since = NULL, previous_secret_ciphertext = :previous,"
                    + " previous_secret_expires_at = :expires"
                    + " WHERE app_id = :app AND pending_secret_ciphertext = :pending")
            .bind("app", appId)
            .bind("pending", pendingCiphertext)
            .bind("previous", previousCiphertext)
            .bind("expires", millis(previousExpiresAt))
            .execute();
    if (cleared == 0) {
      return false;
    }
    h.createUpdate("UPDATE apps SET secret_ciphertext = :secret WHERE id = :app")
        .bind("secret", pendingCiphertext)
        .bind("app", appId)
        .execute();
    return true;
  }

  @Override
  public SecretState secretState(long appId, Instant now) {
    return h.createQuery(
            "SELECT pending_secret_since, CASE WHEN previous_secret_ciphertext IS NOT NULL"
                + " AND previous_secret_expires_at > :now THEN previous_secret_expires_at END"
                + " AS previous_until FROM app_platform WHERE app_id = :app")
        .bind("app", appId)
        .bind("now", millis(now))
        .map(
            (rs, ctx) ->
                new SecretState(instant(rs, "pending_secret_since"), instant(rs, "previous_until")))
        .findOne()
        .orElse(SecretState.NONE);
  }

  @Override
  public Install insertInstall(long appId, long userId, String tokenHash, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO app_installs (app_id, user_id, token_hash, created_at)"
                        + " VALUES (:app, :user, :token, :now) RETURNING "
                        + INSTALL)
                .bind("app", appId)
                .bind("user", userId)
                .bind("token", tokenHash)
                .bind("now", millis(now))
                .map(INSTALLS)
                .one(),
        Map.of("token_hash", "that install token is already in use"));
  }

  @Override
  public Optional<Install> liveInstall(long appId, long userId) {
    return h.createQuery(
            "SELECT "
                + INSTALL
                + " FROM app_installs WHERE app_id = :app AND user_id = :user"
                + " AND revoked_at IS NULL")
        .bind("app", appId)
        .bind("user", userId)
        .map(INSTALLS)
        .findFirst();
  }

  @Override
  public Optional<Install> installByTokenHash(String tokenHash) {
    return h.createQuery(
            "SELECT "
                + INSTALL
                + " FROM app_installs WHERE token_hash = :token AND revoked_at IS NULL")
        .bind("token", tokenHash)
        .map(INSTALLS)
        .findOne();
  }

  @Override
  public List<Install> liveInstallsOf(long userId) {
    return h.createQuery(
            "SELECT "
                + INSTALL
                + " FROM app_installs WHERE user_id = :user AND revoked_at IS NULL ORDER BY app_id")
        .bind("user", userId)
        .map(INSTALLS)
        .list();
  }

  @Override
  public List<Install> liveInstallsOfApp(long appId) {
    return h.createQuery(
            "SELECT "
                + INSTALL
                + " FROM app_installs WHERE app_id = :app AND revoked_at IS NULL ORDER BY id")
        .bind("app", appId)
        .map(INSTALLS)
        .list();
  }

  @Override
  public boolean revokeInstall(long installId, Instant now) {
    return h.createUpdate(
                "UPDATE app_installs SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
            .bind("now", millis(now))
            .bind("id", installId)
            .execute()
        > 0;
  }

  @Override
  public ChatMessage insertChatMessage(
      long workspaceId,
      long fromUserId,
      Long appId,
      String chat,
      String text,
      List<Attachment> attachments,
      Instant now) {
    return h.createQuery(
            "INSERT INTO chat_messages (workspace_id, from_user_id, app_id, chat, text,"
                + " attachments, created_at) VALUES (:ws, :from, :app, :chat, :text, :attachments,"
                + " :now) RETURNING "
                + MESSAGE)
        .bind("ws", workspaceId)
        .bind("from", fromUserId)
        .bind("app", appId)
        .bind("chat", chat)
        .bind("text", text)
        .bind("attachments", Json.write(PlatformJson.writeAttachments(attachments)))
        .bind("now", millis(now))
        .map(MESSAGES)
        .one();
  }

  @Override
  public Optional<ChatMessage> chatMessage(long id) {
    return h.createQuery("SELECT " + MESSAGE + " FROM chat_messages WHERE id = :id")
        .bind("id", id)
        .map(MESSAGES)
        .findOne();
  }

  @Override
  public List<ChatMessage> chatMessages(long workspaceId, String chat, PageRequest page) {
    String sql =
        "SELECT " + MESSAGE + " FROM chat_messages WHERE workspace_id = :ws AND chat = :chat";
    var query = Paging.paged(h, sql, page).bind("ws", workspaceId).bind("chat", chat);
    return query.map(MESSAGES).list();
  }

  @Override
  public ChatMessage setAttachments(long messageId, List<Attachment> attachments) {
    return h.createQuery(
            "UPDATE chat_messages SET attachments = :attachments WHERE id = :id RETURNING "
                + MESSAGE)
        .bind("attachments", Json.write(PlatformJson.writeAttachments(attachments)))
        .bind("id", messageId)
        .map(MESSAGES)
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("message " + messageId));
  }
}
