package org.backchannel.store;

import static org.backchannel.store.Rows.instant;
import static org.backchannel.store.Rows.millis;

import java.time.Instant;
import java.util.Optional;
import org.backchannel.core.web.WebStore;
import org.jdbi.v3.core.Handle;

/** Web UI passwords, setup links and sessions, on the transaction's handle. */
final class JdbcWebStore implements WebStore {
  private final Handle h;

  JdbcWebStore(Handle h) {
    this.h = h;
  }

  @Override
  public void setPasswordHash(long userId, String hash, Instant now) {
    h.createUpdate(
            "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES (:user, :hash, :now)"
                + " ON CONFLICT (user_id) DO UPDATE SET hash = :hash, updated_at = :now")
        .bind("user", userId)
        .bind("hash", hash)
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public Optional<String> passwordHash(long userId) {
    return h.createQuery("SELECT hash FROM user_passwords WHERE user_id = :user")
        .bind("user", userId)
        .mapTo(String.class)
        .findOne();
  }

  @Override
  public void insertSetupLink(String tokenHash, long userId, Instant expiresAt, Instant now) {
    h.createUpdate(
            "INSERT INTO setup_links (token_hash, user_id, created_at, expires_at)"
                + " VALUES (:token, :user, :now, :expires)")
        .bind("token", tokenHash)
        .bind("user", userId)
        .bind("now", millis(now))
        .bind("expires", millis(expiresAt))
        .execute();
  }

  @Override
  public Optional<Long> setupLinkUser(String tokenHash, Instant now) {
    return h.createQuery(
            "SELECT user_id FROM setup_links WHERE token_hash = :token AND used_at IS NULL"
                + " AND expires_at > :now")
        .bind("token", tokenHash)
        .bind("now", millis(now))
        .mapTo(Long.class)
        .findOne();
  }

  @Override
  public boolean useSetupLink(String tokenHash, Instant now) {
    return h.createUpdate(
                "UPDATE setup_links SET used_at = :now WHERE token_hash = :token"
                    + " AND used_at IS NULL AND expires_at > :now")
            .bind("token", tokenHash)
            .bind("now", millis(now))
            .execute()
        == 1;
  }

  @Override
  public void insertSession(String idHash, long userId, Instant expiresAt, Instant now) {
    h.createUpdate(
            "INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at)"
                + " VALUES (:id, :user, :now, :expires)")
        .bind("id", idHash)
        .bind("user", userId)
        .bind("now", millis(now))
        .bind("expires", millis(expiresAt))
        .execute();
  }

  @Override
  public Optional<Session> session(String idHash, Instant now) {
    return h.createQuery(
            "SELECT user_id, expires_at FROM web_sessions WHERE id_hash = :id"
                + " AND expires_at > :now")
        .bind("id", idHash)
        .bind("now", millis(now))
        .map((rs, ctx) -> new Session(rs.getLong("user_id"), instant(rs, "expires_at")))
        .findOne();
  }

  @Override
  public void deleteSession(String idHash) {
    h.createUpdate("DELETE FROM web_sessions WHERE id_hash = :id").bind("id", idHash).execute();
  }

  @Override
  public int deleteSetupLinksOf(long userId) {
    return h.createUpdate("DELETE FROM setup_links WHERE user_id = :user")
        .bind("user", userId)
        .execute();
  }

  @Override
  public int deleteSessionsOf(long userId) {
    return h.createUpdate("DELETE FROM web_sessions WHERE user_id = :user")
        .bind("user", userId)
        .execute();
  }

  @Override
  public int deleteExpiredSessions(Instant now) {
    return h.createUpdate("DELETE FROM web_sessions WHERE expires_at <= :now")
        .bind("now", millis(now))
        .execute();
  }
}
