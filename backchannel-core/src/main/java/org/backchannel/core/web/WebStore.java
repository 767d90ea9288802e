package org.backchannel.core.web;

import java.time.Instant;
import java.util.Optional;

/**
 * Storage for signing in to the web UI: password hashes, one-time setup links and sessions. Links
 * and sessions are stored as SHA-256 of their random token, so a leaked table opens nothing.
 */
public interface WebStore {
  /** A signed-in browser: whose it is and until when. */
  record Session(long userId, Instant expiresAt) {}

  void setPasswordHash(long userId, String hash, Instant now);

  Optional<String> passwordHash(long userId);

  void insertSetupLink(String tokenHash, long userId, Instant expiresAt, Instant now);

  /** The user of an unused, unexpired link, without using it. */
  Optional<Long> setupLinkUser(String tokenHash, Instant now);

  /** Marks a link used; false if it was already used or has expired. */
  boolean useSetupLink(String tokenHash, Instant now);

  void insertSession(String idHash, long userId, Instant expiresAt, Instant now);

  Optional<Session> session(String idHash, Instant now);

  void deleteSession(String idHash);

  /** Deletes a user's setup links, used or not, so none can be used later; returns how many. */
  int deleteSetupLinksOf(long userId);

  /** Ends every browser session of a user; returns how many. */
  int deleteSessionsOf(long userId);

  /** Deletes every session that has expired by {@code now}; returns how many. */
  int deleteExpiredSessions(Instant now);
}
